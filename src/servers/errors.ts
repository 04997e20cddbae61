/**
 * Client errors with a stable code, the HTTP status they map to and, for
 * WebSocket peers, the RFC 6455 close code.
 */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly status: number = 400,
    readonly closeCode: number = 1008,
    readonly code: string = 'RTB_ERR_BAD_REQUEST',
  ) {
    super(message);
  }
}

export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  unsupportedData: 1003,
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
} as const;

export function payloadTooLarge(limit: number): RequestError {
  return new RequestError(`payload exceeds the limit of ${limit} bytes`, 413, CLOSE.messageTooBig, 'RTB_ERR_PAYLOAD_TOO_LARGE');
}
