/**
 * @module mesh/connect/connection-errors
 * Why a device-connection message was refused, beyond a bad signature (profiles/
 * profile-errors). Each names one check of design decisions 3 and 4 (both ends recompute
 * the witness; a device accepts only what the account it asked to join signed, for the
 * request it made). All extend VerificationError so a service maps them to one status.
 */
import { VerificationError } from '../../crypto/errors.js';

/** The recomputed connection witness (docs/mesh-compatibility.md §6.1) differs from the one presented. */
export class WitnessMismatchError extends VerificationError {}

/**
 * An identifier that must be derived from another is not: RespondConnection.MessageId ≠
 * ResponseId(Ack.MessageId) (a response replayed from another request), an EnvelopeId ≠
 * EnvelopeId(MessageId), a MessagePin whose MessageId is not its PinId, or an
 * acknowledgement for a request other than the one expected (docs/mesh-compatibility.md §6.1).
 */
export class MessageIdMismatchError extends VerificationError {}

/** A message names another account than the one it is checked against. */
export class AccountMismatchError extends VerificationError {}

/** The ConnectionDevice keys are not the combined keys the device derives itself (§3). */
export class ConnectionKeyMismatchError extends VerificationError {}

/** A MessageClaim's ServiceAuthenticate or DeviceAuthenticate does not verify (§6.1). */
export class ClaimAuthenticatorError extends VerificationError {}

/** A CatalogedPublication is not the one a ConnectUri or claim names (PublicationId). */
export class PublicationMismatchError extends VerificationError {}

/**
 * A DevicePreconfiguration does not hold together: its seed does not regenerate its
 * ProfileDevice, the profile is not validly self-signed, or the ConnectUri is not the one
 * the seed gives (docs/mesh-compatibility.md §6.2 (b) 2).
 */
export class PreconfigurationMismatchError extends VerificationError {}

/** A message carries an expiry (MessageClaim.Expires) that has passed at the checker's `now`. */
export class ExpiredMessageError extends VerificationError {}
