/**
 * The table as the talk (and the 2010 websocket.org article it quotes)
 * printed it: polling with 871 bytes of headers per poll against WebSocket
 * with 2 bytes per message, one update per client per second, in "Mbps" of
 * 2^20 bits per second. The figures were rounded by hand, not to a common
 * precision, so they are kept here verbatim and the model is checked against
 * them rather than formatted to look like them.
 */
export interface TalkRow {
  clients: number;
  polling_mbps: number;
  websocket_mbps: number;
}

export const TALK_TABLE: readonly TalkRow[] = [
  { clients: 1_000, polling_mbps: 6.6, websocket_mbps: 0.015 },
  { clients: 10_000, polling_mbps: 66, websocket_mbps: 0.153 },
  { clients: 100_000, polling_mbps: 665, websocket_mbps: 1.526 },
];

export const TALK_HEADER_BYTES = 871;
export const TALK_FRAMING_BYTES = 2;

/** The published figure for this many clients, if the table has one. */
export function talkRow(clients: number): TalkRow | undefined {
  return TALK_TABLE.find((row) => row.clients === clients);
}
