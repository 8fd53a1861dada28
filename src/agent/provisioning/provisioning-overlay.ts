/**
 * @module agent/provisioning/provisioning-overlay
 * What a technician changed over the serial line, kept beside the state so it survives a
 * restart: owners added with `connect`, service URLs changed with
 * `set-service`, configured owners dropped with `unpair` (or they would come back from the
 * configuration at the next start), and the mark of an unfinished self-mode factory reset.
 * The configuration file stays as the image shipped it; the agent's settings at each start
 * are the configuration with this overlay applied (effectiveOwners). Nothing secret lives
 * here: a PIN given with `connect` is in the keystore (pinSecretName).
 *
 * Layout on disk: `<stateDirectory>/provisioning.json`, `{"Format": "mesh-agent-provisioning/1", …}`.
 */
import { activationSecretName, ownerKey } from '../agent-state.js';
import type { OwnerSettings } from '../agent-runtime.js';

export const OVERLAY_FORMAT = 'mesh-agent-provisioning/1';

export interface ProvisioningOverlay {
  readonly Format: typeof OVERLAY_FORMAT;
  /** Owners added over the serial line (not in the configuration). */
  readonly owners: readonly { readonly account: string; readonly service: string }[];
  /** Service URLs of configured owners, by ownerKey, changed over the line. */
  readonly services: Readonly<Record<string, string>>;
  /** The maker's service (claims.service), changed over the line. */
  readonly makerService?: string;
  /** ownerKeys of configured owners unpaired over the line. */
  readonly unpaired: readonly string[];
  /** A self-mode factory reset that must (still) replace the identity at the next start. */
  readonly resetIdentity?: boolean;
}

export const EMPTY_OVERLAY: ProvisioningOverlay = { Format: OVERLAY_FORMAT, owners: [], services: {}, unpaired: [] };

/** Where the overlay is kept; every save is atomic. */
export interface OverlayStore {
  readonly location: string;
  /** @throws StateCorruptError for a file that is not an overlay */
  load(): Promise<ProvisioningOverlay | undefined>;
  save(overlay: ProvisioningOverlay): Promise<void>;
}

/** The keystore name of the PIN given with `connect` for `account`. */
export function pinSecretName(account: string): string {
  return `pin/${activationSecretName(account).slice('activation/'.length)}`;
}

/** The configured owners with the overlay applied: unpaired ones dropped, services changed, serial ones added. */
export function effectiveOwners(configured: readonly OwnerSettings[], overlay: ProvisioningOverlay): OwnerSettings[] {
  const dropped = new Set(overlay.unpaired);
  const owners: OwnerSettings[] = configured
    .filter((o) => !dropped.has(ownerKey(o.account)))
    .map((o) => {
      const service = overlay.services[ownerKey(o.account)];
      return service === undefined ? o : { ...o, service };
    });
  const seen = new Set(owners.map((o) => ownerKey(o.account)));
  for (const o of overlay.owners)
    if (!seen.has(ownerKey(o.account))) owners.push({ account: o.account, service: o.service });
  return owners;
}

/** Checks a parsed overlay file; undefined when it is not one. */
export function isOverlay(value: unknown): value is ProvisioningOverlay {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const strings = (x: unknown): boolean => Array.isArray(x) && x.every((s) => typeof s === 'string');
  return (
    v['Format'] === OVERLAY_FORMAT &&
    Array.isArray(v['owners']) &&
    (v['owners'] as unknown[]).every(
      (o) =>
        typeof o === 'object' &&
        o !== null &&
        typeof (o as Record<string, unknown>)['account'] === 'string' &&
        typeof (o as Record<string, unknown>)['service'] === 'string',
    ) &&
    typeof v['services'] === 'object' &&
    v['services'] !== null &&
    Object.values(v['services'] as object).every((s) => typeof s === 'string') &&
    strings(v['unpaired']) &&
    (v['makerService'] === undefined || typeof v['makerService'] === 'string') &&
    (v['resetIdentity'] === undefined || typeof v['resetIdentity'] === 'boolean')
  );
}
