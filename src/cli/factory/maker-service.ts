/**
 * @module cli/factory/maker-service
 * Where a label's claim goes: the service of the maker account in its ConnectUri
 * (mcu://maker@domain/…, docs/mesh-compatibility.md §6.2 (b) 3). protocol-09 names the service by an
 * SRV record `_mmm._tcp.<domain>` (docs/mesh-compatibility.md §7); without one, `https://<domain>/`
 * (protocol-09 makes TLS mandatory, so this implementation does not fall back to the
 * reference's plain `http://<domain>:15099`). `--maker-service` overrides both.
 */
import { Resolver } from 'node:dns/promises';

export interface SrvTarget {
  readonly name: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

export type SrvLookup = (name: string) => Promise<readonly SrvTarget[]>;

const systemSrvLookup: SrvLookup = async (name) => {
  const resolver = new Resolver({ timeout: 3000, tries: 2 });
  return resolver.resolveSrv(name);
};

/** The service URL for `account`'s domain. */
export async function makerServiceUrl(
  account: string,
  lookup: SrvLookup = systemSrvLookup,
): Promise<{ url: string; via: 'srv' | 'domain' }> {
  const domain = account.slice(account.lastIndexOf('@') + 1).toLowerCase();
  let targets: readonly SrvTarget[] = [];
  try {
    targets = await lookup(`_mmm._tcp.${domain}`);
  } catch {
    // No record, or no DNS at all: the domain itself (below).
  }
  const best = [...targets]
    .filter((t) => t.name !== '' && t.name !== '.')
    .sort((a, b) => a.priority - b.priority || b.weight - a.weight)[0];
  if (best !== undefined) return { url: `https://${best.name.replace(/\.$/, '')}:${best.port}/`, via: 'srv' };
  return { url: `https://${domain}/`, via: 'domain' };
}
