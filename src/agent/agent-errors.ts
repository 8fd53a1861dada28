/**
 * @module agent/agent-errors
 * Why the agent refuses to start or to go on, one class per cause (conventions "Errors").
 * A start-up refusal is printed as one line and the process exits 1 (78 for configuration):
 * each message names the file or the secret and what is wrong, never a secret's value.
 */
import { MeshError } from '../crypto/errors.js';

/** The preconfiguration file is not a usable DevicePreconfiguration (truncated, not JSON, tampered, wrong seed). */
export class PreconfigurationError extends MeshError {
  readonly code = 'ERR_PRECONFIGURATION';
}

/**
 * The device's identity is recorded (a public-only preconfiguration, or a state file) but
 * the keystore holds no seed for it: the key was lost. The agent never makes a new identity
 * silently in its place.
 */
export class DeviceKeyLostError extends MeshError {
  readonly code = 'ERR_DEVICE_KEY_LOST';
}

/** The keystore holds a device seed for another identity than the preconfiguration or the state. */
export class DeviceKeyMismatchError extends MeshError {
  readonly code = 'ERR_DEVICE_KEY_MISMATCH';
}

/** The state file does not parse or does not hold together. */
export class StateCorruptError extends MeshError {
  readonly code = 'ERR_STATE_CORRUPT';
}

/** Another agent runs on the same state directory. */
export class AgentLockedError extends MeshError {
  readonly code = 'ERR_AGENT_LOCKED';
}

/** `mesh-agent approve-claim` was given a code no held claim announced. */
export class UnknownConfirmationError extends MeshError {
  readonly code = 'ERR_UNKNOWN_CONFIRMATION';
}
