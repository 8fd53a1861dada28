/**
 * @module platform/http/hello-check
 * The client's side of Hello negotiation (mesh-security-05 §3.5): a service whose Hello offers
 * no protocol version and encoding this implementation speaks (3.x over JSON,
 * src/mesh/messages/hello.ts) is refused at first contact with an error that says what it
 * offered, rather than failing later on a message it would not understand.
 */
import { MeshError } from '../../crypto/errors.js';
import { terminalText } from '../../mesh/encoding/terminal-text.js';
import { SPOKEN_VERSION, checkHello, type HelloResponse } from '../../mesh/messages/hello.js';

/** The service speaks no protocol version or encoding this implementation speaks. */
export class IncompatibleServiceError extends MeshError {
  readonly code = 'ERR_INCOMPATIBLE_SERVICE';
}

/** @throws IncompatibleServiceError naming what `url` offered and what this client speaks. */
export function requireSpeakable(hello: Pick<HelloResponse, 'Version' | 'Alternates'>, url: string): void {
  const check = checkHello(hello);
  if (check.ok) return;
  // The offer is the service's text: shown neutralised.
  const offered = terminalText(check.offered, 300);
  throw new IncompatibleServiceError(
    `${url} speaks Mesh protocol ${offered}; this client speaks ${SPOKEN_VERSION.Major}.${SPOKEN_VERSION.Minor} over ${SPOKEN_VERSION.Encodings.join(', ')}`,
    { context: { url, offered } },
  );
}
