/**
 * @module agent/push/broker-loop
 * One MQTT broker kept connected: connect, set the session up (subscribe, publish
 * the online status), wait until it drops, and try again on the agent's RetrySchedule with
 * jitter, the same backoff as every other retry. A broker that refuses (wrong
 * credentials, ACL) is `refused`, one that does not answer `unreachable`; both are retried,
 * ever more slowly up to the cap, never in a tight loop and never by crashing.
 */
import { AgentStopped, untilAborted } from '../agent-stopped.js';
import { describeError } from '../describe-error.js';
import type { Clock } from '../../crypto/clock.js';
import type { RandomSource } from '../../crypto/random.js';
import type { MqttConnectOptions, MqttConnector, MqttSession } from '../ports.js';
import { RetrySchedule, type RetryScheduleOptions } from '../retry-schedule.js';
import { MqttRefusedError } from './mqtt-errors.js';
import type { BrokerState } from './mqtt-status.js';

export interface BrokerLoopOptions {
  readonly connector: MqttConnector;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly backoff: RetryScheduleOptions;
  readonly options: () => MqttConnectOptions;
  /** Sets a fresh session up; a throw counts as a failed connection. */
  readonly onSession: (session: MqttSession) => Promise<void>;
  /** Before a clean end (agent stopping, configuration changed): e.g. publish "offline". */
  readonly beforeEnd?: (session: MqttSession) => Promise<void>;
  readonly onState: (state: BrokerState, detail?: string) => void;
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** Runs until `signal` aborts; never rejects. */
export async function runBrokerLoop(loop: BrokerLoopOptions, signal: AbortSignal): Promise<void> {
  const schedule = new RetrySchedule(loop.backoff, loop.random);
  while (!signal.aborted) {
    loop.onState('connecting');
    let session: MqttSession | undefined;
    try {
      session = await untilAborted(loop.connector.connect(loop.options()), signal);
      await untilAborted(loop.onSession(session), signal);
    } catch (error) {
      if (error instanceof AgentStopped || signal.aborted) {
        if (session !== undefined) await endQuietly(loop, session);
        break;
      }
      if (session !== undefined) await session.end().catch(() => undefined);
      loop.onState(error instanceof MqttRefusedError ? 'refused' : 'unreachable', describeError(error));
      await loop.clock.sleep(schedule.next(), signal);
      continue;
    }
    schedule.reset();
    loop.onState('connected');
    const reason = await Promise.race([session.closed, aborted(signal).then(() => undefined)]);
    if (signal.aborted) {
      await endQuietly(loop, session);
      break;
    }
    loop.onState('unreachable', reason ?? 'the connection was lost');
    await loop.clock.sleep(schedule.next(), signal);
  }
  loop.onState('stopped');
}

async function endQuietly(loop: BrokerLoopOptions, session: MqttSession): Promise<void> {
  try {
    if (loop.beforeEnd !== undefined) {
      // Bounded: a broker that stopped answering must not hold the agent's shutdown.
      const done = new AbortController();
      await Promise.race([loop.beforeEnd(session).finally(() => done.abort()), loop.clock.sleep(2_000, done.signal)]);
    }
  } catch {
    // The broker went away first: its will says offline for us.
  }
  await session.end().catch(() => undefined);
}
