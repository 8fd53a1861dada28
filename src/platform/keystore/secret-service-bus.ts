/**
 * @module platform/keystore/secret-service-bus
 * One connection to the session bus for talking to org.freedesktop.secrets through
 * dbus-next (docs/decisions/0006-dbus-next-instead-of-dbus.md: the native `dbus` package cannot express the `a{ss}`
 * attributes, dbus-next can). Every call has a deadline and every failure becomes a typed
 * error: dbus-next's own calls wait forever on a silent service, and an unhandled
 * connection error would crash the agent.
 *
 * Addresses are rewritten before dbus-next sees them: dbus-next tries the optional native
 * `usocket` first for `unix:path=`, which neither installs nor bundles here
 * (docs/decisions/0006-dbus-next-instead-of-dbus.md, docs/decisions/0004-lazy-chunks-and-startup-snapshot.md), so `unix:path=` becomes dbus-next's plain-net `unix:socket=`.
 * `unix:abstract=` needs usocket outright (Node 20's net cannot reach the abstract
 * namespace: it answers ECONNREFUSED), so such entries are dropped, and an address made
 * only of them is refused with a message saying to use a socket path. The optional
 * `require('usocket')` is thus never reached, and `require('x11')` neither, because an
 * address is always given.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import dbus from 'dbus-next';
import type { MessageBus } from 'dbus-next';
import { SecretServiceCallError, SecretServiceUnavailableError } from './keystore-errors.js';

export const SECRETS_BUS_NAME = 'org.freedesktop.secrets';

export interface BusLocation {
  /** Explicit bus address (configuration); wins over the environment. */
  readonly dbusAddress?: string | undefined;
  /** Environment to read DBUS_SESSION_BUS_ADDRESS / XDG_RUNTIME_DIR from (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
}

export type BusAddressResolution =
  | { readonly address: string; readonly source: string }
  | { readonly address: undefined; readonly reason: string };

/** The option, then DBUS_SESSION_BUS_ADDRESS, then systemd's per-user bus socket. */
export function resolveBusAddress(location: BusLocation = {}): BusAddressResolution {
  if (location.dbusAddress !== undefined && location.dbusAddress !== '')
    return { address: location.dbusAddress, source: 'configured address' };
  const env = location.env ?? process.env;
  const fromEnv = env['DBUS_SESSION_BUS_ADDRESS'];
  if (fromEnv !== undefined && fromEnv !== '') return { address: fromEnv, source: 'DBUS_SESSION_BUS_ADDRESS' };
  const runtime = env['XDG_RUNTIME_DIR'];
  if (runtime !== undefined && runtime !== '' && existsSync(join(runtime, 'bus'))) {
    return { address: `unix:path=${join(runtime, 'bus')}`, source: 'XDG_RUNTIME_DIR/bus' };
  }
  return { address: undefined, reason: 'no session bus: DBUS_SESSION_BUS_ADDRESS unset and no $XDG_RUNTIME_DIR/bus' };
}

/** D-Bus address values are percent-escaped (D-Bus specification, "Server Addresses"). */
function unescapeValue(value: string): string {
  return value.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * Rewrites `unix:path=P` as dbus-next's `unix:socket=P` (plain net.connect) and drops
 * `unix:abstract=` entries; other transports (tcp) pass through. Throws
 * SecretServiceUnavailableError when nothing usable is left.
 */
export function toNodeBusAddress(address: string): string {
  const usable = address
    .split(';')
    .filter((entry) => entry !== '')
    .flatMap((entry) => {
      const colon = entry.indexOf(':');
      if (colon < 0 || entry.slice(0, colon) !== 'unix') return [entry];
      const params = new Map<string, string>();
      for (const pair of entry.slice(colon + 1).split(',')) {
        const eq = pair.indexOf('=');
        if (eq > 0) params.set(pair.slice(0, eq), unescapeValue(pair.slice(eq + 1)));
      }
      const path = params.get('path');
      if (path !== undefined) return [`unix:socket=${path}`];
      if (params.has('abstract')) return [];
      return [entry];
    });
  if (usable.length === 0) {
    throw new SecretServiceUnavailableError(
      `the session bus address ${address} has only abstract-namespace sockets, which this agent cannot reach without the native usocket module; run the bus on a socket path (unix:path=…, as systemd's $XDG_RUNTIME_DIR/bus is) and set DBUS_SESSION_BUS_ADDRESS or the dbusAddress option to it`,
      { context: { address } },
    );
  }
  return usable.join(';');
}

export interface SecretsCall {
  readonly path: string;
  readonly interface: string;
  readonly member: string;
  readonly signature?: string;
  readonly body?: unknown[];
}

/** A connection with per-call deadlines; `address` is the original, for messages. */
export class SecretsBus {
  readonly address: string;
  readonly #bus: MessageBus;
  readonly #timeoutMs: number;
  #failure: Error | undefined;
  readonly #waiters = new Set<(error: Error) => void>();
  #closed = false;

  private constructor(address: string, bus: MessageBus, timeoutMs: number) {
    this.address = address;
    this.#bus = bus;
    this.#timeoutMs = timeoutMs;
    // Without a listener an 'error' event (socket refused, reset) would be thrown at top level.
    bus.on('error', (error: Error) => {
      this.#failure ??= error;
      for (const wake of this.#waiters) wake(error);
    });
  }

  static connect(address: string, timeoutMs: number): SecretsBus {
    const nodeAddress = toNodeBusAddress(address);
    let bus: MessageBus;
    try {
      bus = dbus.sessionBus({ busAddress: nodeAddress });
    } catch (cause) {
      throw new SecretServiceUnavailableError(
        `cannot connect to the session bus at ${address}: ${(cause as Error).message}`,
        {
          context: { address },
          cause,
        },
      );
    }
    return new SecretsBus(address, bus, timeoutMs);
  }

  /** Calls a method on org.freedesktop.secrets and returns the reply body. */
  async call(request: SecretsCall, timeoutMs = this.#timeoutMs): Promise<unknown[]> {
    const method = `${request.interface.replace(/^org\.freedesktop\.Secret\./, '')}.${request.member}`;
    if (this.#failure !== undefined) throw this.#unavailable(method, this.#failure);
    const message = new dbus.Message({
      destination: SECRETS_BUS_NAME,
      path: request.path,
      interface: request.interface,
      member: request.member,
      ...(request.signature === undefined ? {} : { signature: request.signature, body: request.body ?? [] }),
    });
    let timer: NodeJS.Timeout | undefined;
    let wake: ((error: Error) => void) | undefined;
    try {
      const reply = await Promise.race([
        this.#bus.call(message),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new SecretServiceUnavailableError(
                  `no answer from ${SECRETS_BUS_NAME} to ${method} within ${timeoutMs} ms on ${this.address}`,
                  {
                    context: { address: this.address, method, timeoutMs },
                  },
                ),
              ),
            timeoutMs,
          );
          wake = (error) => reject(this.#unavailable(method, error));
          this.#waiters.add(wake);
        }),
      ]);
      return reply?.body ?? [];
    } catch (error) {
      if (error instanceof SecretServiceUnavailableError) throw error;
      throw this.#callError(method, error);
    } finally {
      clearTimeout(timer);
      if (wake !== undefined) this.#waiters.delete(wake);
    }
  }

  #unavailable(method: string, cause: Error): SecretServiceUnavailableError {
    return new SecretServiceUnavailableError(
      `cannot reach the session bus at ${this.address} (${method}): ${cause.message}`,
      {
        context: { address: this.address, method },
        cause,
      },
    );
  }

  #callError(method: string, error: unknown): Error {
    const type = (error as { type?: unknown }).type;
    const dbusError = typeof type === 'string' ? type : undefined;
    const text = (error as { text?: unknown }).text ?? (error as Error).message;
    if (
      dbusError === 'org.freedesktop.DBus.Error.ServiceUnknown' ||
      dbusError === 'org.freedesktop.DBus.Error.NameHasNoOwner' ||
      (dbusError?.startsWith('org.freedesktop.DBus.Error.Spawn.') ?? false)
    ) {
      return new SecretServiceUnavailableError(
        `no Secret Service on the session bus at ${this.address}: ${SECRETS_BUS_NAME} is not running and cannot be started (${dbusError}); install and start gnome-keyring`,
        { context: { address: this.address, method, dbusError }, cause: error },
      );
    }
    // D-Bus error texts from the keyring describe the call, never the secret sent in it.
    return new SecretServiceCallError(
      `${SECRETS_BUS_NAME} ${method} failed: ${dbusError ?? 'error'}: ${String(text)}`,
      method,
      dbusError,
      {
        context: { address: this.address },
        cause: error,
      },
    );
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#bus.disconnect();
    } catch {
      // Already disconnected by a failure; nothing to release.
    }
  }
}
