/**
 * @module mesh/profiles/profile-errors
 * Why a signed Mesh object was refused (design decisions 3 and 4: every envelope that
 * authorises something is signed and checked, and the service is not trusted). They extend
 * VerificationError, so a caller mapping "does not verify" to one status (401) keeps
 * working, while a test or a log can tell the causes apart by class.
 */
import { VerificationError } from '../../crypto/errors.js';

/**
 * An envelope that must be signed carries no signature at all: the reference leaves
 * RequestConnection and AcknowledgeConnection unsigned (docs/mesh-compatibility.md §11 item 8); this
 * implementation refuses them.
 */
export class UnsignedEnvelopeError extends VerificationError {}

/**
 * An envelope is signed, but no signature verifies under the one key allowed to sign it
 * (a forged or replayed envelope, another account's admin key, the device signing its own
 * RespondConnection, or a payload altered after signing).
 */
export class UnauthorizedSignerError extends VerificationError {}

/**
 * A profile does not agree with itself or with what it is presented as: its EnvelopeId is
 * not its own UDF, it is not the profile a seed regenerates, or a record names another
 * device/account profile than the one in hand.
 */
export class ProfileMismatchError extends VerificationError {}
