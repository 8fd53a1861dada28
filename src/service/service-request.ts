/**
 * @module service/service-request
 * One request as the transport hands it to the service: the body, the Mesh-Authorization
 * header and where it came from. Its own module so the owner-signature check can read it
 * without depending on the service that dispatches it.
 */

export interface ServiceRequest {
  readonly body: Uint8Array;
  /** The Mesh-Authorization header, if sent. */
  readonly authorization?: string;
  /** The client's address as the transport established it (TransactionContext.source). */
  readonly source?: string;
}
