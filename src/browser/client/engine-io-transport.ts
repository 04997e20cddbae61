/**
 * The fallback, `/engine.io/`: Engine.IO v4 over HTTP long-polling, spoken
 * by hand (about a hundred lines) rather than bundling engine.io-client. The
 * browser client uses it when WebSocket is not there (`auto` tries it after
 * /ws failed), so it never probes an upgrade: a proxy that stripped the /ws
 * upgrade strips this one too. The packets carry the same JSON ops as /ws
 * (ops.ts); the server's pings (`2`) are answered with `3`.
 *
 * Wire: the handshake GET answers `0{"sid","pingInterval","pingTimeout",...}`;
 * then one GET held at a time (packets joined by 0x1e), and POSTs of
 * `4<json>` packets, one POST in flight at a time.
 */
import { OpsTransport } from './ops.js';
import { fetchText, timeoutSignal } from './wire.js';

const SEPARATOR = '\x1e';
/** Extra time past the server's ping interval and timeout before a silent poll counts as lost. */
const HEARTBEAT_SLACK_MS = 5000;

export class EngineIoTransport extends OpsTransport {
  readonly name = 'fallback';
  #url = '';
  #heartbeatMs = 0;
  #closed = false;
  readonly #held = new AbortController();
  readonly #outbox: string[] = [];
  #posting = false;

  protected sendOp(text: string): void {
    this.#send(`4${text}`);
  }

  async open(): Promise<void> {
    const endpoint = `${this.settings.base}/engine.io/?EIO=4&transport=polling`;
    const signal = timeoutSignal(this.settings.connectTimeoutMs, this.#held.signal);
    const [open, ...rest] = (await fetchText(endpoint, { signal }, (n) => this.hooks.bytes(n))).split(SEPARATOR);
    if (!open?.startsWith('0')) throw new Error(`not an Engine.IO open packet: ${open?.slice(0, 40)}`);
    const handshake = JSON.parse(open.slice(1)) as { sid: string; pingInterval: number; pingTimeout: number };
    this.#url = `${endpoint}&sid=${encodeURIComponent(handshake.sid)}`;
    this.#heartbeatMs = handshake.pingInterval + handshake.pingTimeout + HEARTBEAT_SLACK_MS;
    for (const packet of rest) this.#receive(packet);
    void this.#flush();
    void this.#poll();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.ops.failAll('client closed');
    // Tell the server at once rather than leaving it to time the session out.
    if (this.#url)
      void fetchText(this.#url, { method: 'POST', body: '1', headers: { 'content-type': 'text/plain;charset=UTF-8' } }, () => {}).catch(
        () => {},
      );
    this.#held.abort();
  }

  async #poll(): Promise<void> {
    while (!this.#closed) {
      let payload: string;
      try {
        payload = await fetchText(this.#url, { signal: timeoutSignal(this.#heartbeatMs, this.#held.signal) }, (n) => this.hooks.bytes(n));
      } catch (error) {
        this.#lose(`Engine.IO poll failed: ${(error as Error).message}`);
        return;
      }
      for (const packet of payload.split(SEPARATOR)) this.#receive(packet);
    }
  }

  #receive(packet: string): void {
    if (this.#closed) return;
    switch (packet[0]) {
      case '2':
        this.#send('3');
        return;
      case '4':
        this.ops.receive(packet.slice(1));
        return;
      case '1':
        this.#lose('the server closed the Engine.IO session');
        return;
    }
  }

  #send(packet: string): void {
    if (this.#closed) return;
    this.#outbox.push(packet);
    void this.#flush();
  }

  /** One POST at a time, carrying every packet queued meanwhile. */
  async #flush(): Promise<void> {
    if (this.#posting || this.#outbox.length === 0 || !this.#url) return;
    this.#posting = true;
    const body = this.#outbox.splice(0).join(SEPARATOR);
    try {
      await fetchText(this.#url, { method: 'POST', body, headers: { 'content-type': 'text/plain;charset=UTF-8' } }, (n) =>
        this.hooks.bytes(n),
      );
    } catch (error) {
      this.#lose(`Engine.IO send failed: ${(error as Error).message}`);
      return;
    } finally {
      this.#posting = false;
    }
    void this.#flush();
  }

  #lose(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#held.abort();
    this.ops.failAll(reason);
    this.hooks.lost(reason);
  }
}
