/**
 * @module agent/push/push-settings
 * Where the agent listens for push notices: per Mesh service, the broker that
 * service publishes its notices on (`mesh service start --mqtt`), from the configuration's
 * `mqtt.push[]`. The credentials let the device subscribe to its own topics only (the
 * broker's ACL); they are not the owner's application broker, which comes signed from the
 * owner (app-config).
 */
export interface PushBrokerSettings {
  /** The Mesh service whose notices these are (an owners[] or claims service). */
  readonly service: string;
  readonly url: string;
  readonly username?: string;
  /** A secret (from the configuration file): never logged. */
  readonly password?: string;
  /** The service's `--mqtt-topic-prefix`, default `mesh/v1`. */
  readonly topicPrefix: string;
}

/** Two spellings of one service (trailing slash, the transaction path) compare equal. */
export function sameService(a: string, b: string): boolean {
  const norm = (s: string): string => {
    try {
      const u = new URL(s);
      return `${u.protocol}//${u.host}${u.pathname.replace(/\/\.well-known\/mmm\/?$/, '').replace(/\/+$/, '')}`.toLowerCase();
    } catch {
      return s.toLowerCase();
    }
  };
  return norm(a) === norm(b);
}
