/**
 * @module mesh/messages/status-fields
 * The fields every `<Name>Response` opens with (security-05 §3.3 Response). The transport
 * reads them before the transaction's own fields: Status decides whether the answer is a
 * result or a refusal, so the response schemas of this folder cover only what follows.
 */
export interface StatusFields {
  readonly Status: number;
  readonly StatusDescription?: string;
  readonly StatusExtended?: number;
}
