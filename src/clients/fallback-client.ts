/**
 * The Socket.io-style fallback against rtbench's /socket.io/ (or a real
 * socket.io server speaking the same events): on an Engine.IO session
 * (engine-io-client.ts), Socket.IO v5 CONNECT to the default namespace, one
 * `subscribe` event with an ack, then `message` events carrying the envelope
 * (and a `gap` event when the cursor is older than the server's history).
 */
import { EngineIoClient } from './engine-io-client.js';
import { OpenRefused } from './load-client.js';

/** `42["message",` - the prefix of every hub message event. */
const MESSAGE_PREFIX = '42["message",';
/** `2["gap",` - a gap signal event, after the Engine.IO `4`. */
const GAP_PREFIX = '2["gap",';

export class FallbackClient extends EngineIoClient {
  protected joinSession(): void {
    // Socket.IO CONNECT to "/", then subscribe with an ack (id 0).
    this.sendPacket('40');
    this.sendPacket(`420${JSON.stringify(['subscribe', { channel: this.channel, cursor: this.tracker.last }])}`);
  }

  protected onSocketIo(packet: string, receivedAt: number): void {
    if (packet.startsWith(MESSAGE_PREFIX.slice(1))) {
      // `2["message",{envelope}]`: the envelope is the payload.
      const envelope = packet.slice(MESSAGE_PREFIX.length - 1, -1);
      this.receiveEnvelope(envelope, Buffer.byteLength(envelope), receivedAt);
      return;
    }
    if (packet.startsWith(GAP_PREFIX)) {
      const [, gap] = JSON.parse(packet.slice(1)) as [string, { from: unknown; to: unknown }];
      this.receiveGap(gap);
      return;
    }
    if (packet.startsWith('30')) {
      // The subscribe's ack: `[{channel, seq}]`, or `[{error, code}]` when refused.
      const [answer] = JSON.parse(packet.slice(2)) as [{ error?: string; code?: string }];
      if (answer?.error) this.sessionEnded(new OpenRefused(`subscribe refused: ${answer.error} (${answer.code})`));
      else this.settleOpen();
      return;
    }
    if (packet.startsWith('4')) this.sessionEnded(new OpenRefused(`CONNECT_ERROR: ${packet.slice(1, 200)}`));
    else if (packet === '1') this.sessionEnded(undefined); // DISCONNECT from the server
  }
}
