/** Reading the polling body `{"cursor":M,"messages":[...],"gap"?:{"from":F,"to":T}}` for the lean clients. */
export interface PollBody {
  cursor: number;
  messages: { seq: number; ts: number; channel: string }[];
  /** Present when updates after the cursor were older than the history kept: they are gone. */
  gap?: { from: number; to: number };
}

/** Each envelope with its payload size: its JSON text as the server sent it. */
export function* envelopesOf(body: PollBody): Generator<[PollBody['messages'][number], number]> {
  for (const message of body.messages) yield [message, Buffer.byteLength(JSON.stringify(message))];
}
