/**
 * @module mesh/messages/device-notice
 * What a push notice says (docs/service-protocol.md "Application entries and push notices").
 * A notice carries nothing secret and nothing the device trusts: it only says "ask me now",
 * and the device fetches and verifies the result as it always does, so a lost, forged or
 * replayed notice costs one fetch.
 * - `respond`: ConnectComplete filed the owner's answer to the request `responseId`;
 * - `application`: the owner `account` published an application entry for the device;
 * - `claim`: a claim of the device's QR label (`publicationId`) arrived.
 */
export type DeviceNotice =
  | { readonly type: 'respond'; readonly responseId: string }
  | { readonly type: 'claim'; readonly publicationId: string }
  | { readonly type: 'application'; readonly account: string };
