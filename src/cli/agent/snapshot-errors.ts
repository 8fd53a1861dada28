/**
 * @module cli/agent/snapshot-errors
 * Why `mesh-agent snapshot` could not build the startup snapshot (docs/packaging.md).
 */
import { MeshError } from '../../crypto/errors.js';

/** The snapshot script is missing, `node --build-snapshot` failed, or the blob could not be written. */
export class SnapshotBuildError extends MeshError {
  readonly code = 'ERR_SNAPSHOT_BUILD';
}
