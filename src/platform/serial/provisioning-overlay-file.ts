/**
 * @module platform/serial/provisioning-overlay-file
 * The technician's changes (agent/provisioning/provisioning-overlay) on disk:
 * `<stateDirectory>/provisioning.json`, replaced atomically and durably like state.json
 * (a 0600 temp file, fsync, rename, fsync of the directory), so a power cut leaves the old
 * overlay or the new one. A file that is not an overlay is refused with StateCorruptError
 * (mesh-agent exits 1 naming it), never silently replaced: it may hold unpaired owners.
 * Like every file of the state directory it is read without following a link and must be
 * UTF-8 text (platform/state/file-state-store).
 */
import { join, resolve } from 'node:path';
import { StateCorruptError } from '../../agent/agent-errors.js';
import {
  OVERLAY_FORMAT,
  isOverlay,
  type OverlayStore,
  type ProvisioningOverlay,
} from '../../agent/provisioning/provisioning-overlay.js';
import { writePrivateFileAtomic } from '../fs/atomic-write.js';
import { readStateJson } from '../state/file-state-store.js';

export const OVERLAY_FILE = 'provisioning.json';

export class FileOverlayStore implements OverlayStore {
  readonly location: string;

  constructor(stateDirectory: string) {
    this.location = join(resolve(stateDirectory), OVERLAY_FILE);
  }

  async load(): Promise<ProvisioningOverlay | undefined> {
    const value = await readStateJson(this.location);
    if (value === undefined) return undefined;
    if (!isOverlay(value)) {
      throw new StateCorruptError(
        `${this.location}: expected {"Format": ${JSON.stringify(OVERLAY_FORMAT)}, "owners": [...], "services": {...}, "unpaired": [...]}`,
        {
          context: { path: this.location },
        },
      );
    }
    return value;
  }

  async save(overlay: ProvisioningOverlay): Promise<void> {
    await writePrivateFileAtomic(this.location, new TextEncoder().encode(`${JSON.stringify(overlay, null, 2)}\n`));
  }
}
