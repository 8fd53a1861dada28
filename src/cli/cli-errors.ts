/**
 * @module cli/cli-errors
 * Errors that end a CLI command with a specific exit status. Usage errors name the
 * argument so a person (or a script) sees at once which one was wrong.
 */
import { MeshError, type MeshErrorOptions } from '../crypto/errors.js';

/** A missing, unknown or malformed command-line argument: exit status 2. */
export class UsageError extends MeshError {
  readonly code = 'ERR_USAGE';
  readonly argument: string | undefined;
  constructor(message: string, argument?: string, options: MeshErrorOptions = {}) {
    super(argument === undefined ? message : `${argument}: ${message}`, options);
    this.argument = argument;
  }
}

/** A check that ran and said no (a signature that does not verify): exit status 1. */
export class CheckFailedError extends MeshError {
  readonly code = 'ERR_CHECK_FAILED';
}

/** Reading an input file failed (missing, unreadable): exit status 2. */
export class InputFileError extends MeshError {
  readonly code = 'ERR_INPUT_FILE';
}
