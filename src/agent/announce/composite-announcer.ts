/**
 * @module agent/announce/composite-announcer
 * One Announcer for the agent, many channels behind it (the log, the serial console, …): each
 * announcement goes to every channel in order, and a channel that throws is reported and
 * skipped, so a broken console can never stop the log line or the agent.
 */
import type { Announcement, Announcer } from '../ports.js';

export class CompositeAnnouncer implements Announcer {
  readonly #channels: readonly Announcer[];
  readonly #onError: (error: unknown, announcement: Announcement) => void;

  constructor(
    channels: readonly Announcer[],
    onError: (error: unknown, announcement: Announcement) => void = () => undefined,
  ) {
    this.#channels = channels;
    this.#onError = onError;
  }

  announce(announcement: Announcement): void {
    for (const channel of this.#channels) {
      try {
        channel.announce(announcement);
      } catch (error) {
        this.#onError(error, announcement);
      }
    }
  }
}
