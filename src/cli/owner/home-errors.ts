/**
 * @module cli/owner/home-errors
 * Why the owner's profile directory cannot be used. Each message names the directory or
 * file, says what is wrong and what to do; none ever contains key material (conventions
 * "Errors"). They are MeshErrors, so `mesh` exits 2 with one line.
 */
import { MeshError } from '../../crypto/errors.js';

/** No owner profile in the directory (never created, or the wrong --home). */
export class HomeMissingError extends MeshError {
  readonly code = 'ERR_OWNER_HOME_MISSING';
}

/** A file of the profile is unreadable, not JSON, or not in the expected shape. */
export class HomeCorruptError extends MeshError {
  readonly code = 'ERR_OWNER_HOME_CORRUPT';
}

/** The directory or a private file is open to other users; the profile is not used. */
export class HomeInsecureError extends MeshError {
  readonly code = 'ERR_OWNER_HOME_INSECURE';
}

/** `account create` into a directory that already holds another account. */
export class HomeExistsError extends MeshError {
  readonly code = 'ERR_OWNER_HOME_EXISTS';
}

/** Another mesh process holds the directory's lock for longer than we wait. */
export class HomeBusyError extends MeshError {
  readonly code = 'ERR_OWNER_HOME_BUSY';
}
