/**
 * An upgrade from polling to WebSocket while it is under way: the probe
 * WebSocket, the `2probe` / `3probe` exchange, and the time the client has
 * to send `5`. The session keeps polling meanwhile and moves onto the probe
 * WebSocket once `5` arrives (session.ts). The object lives only as long as
 * the upgrade, so an idle session carries none of this.
 */
import type { RawData, WebSocket } from 'ws';
import { encodeText } from './protocol.js';

/** What an upgrade needs from its session. */
export interface UpgradingSession {
  readonly state: 'open' | 'closing' | 'closed';
  /** The probe was answered: the client may now pause polling. */
  onProbed(): void;
  /** The client sent `5` on the probe WebSocket. */
  completeUpgrade(ws: WebSocket): void;
  /** The upgrade failed or timed out; the session stays on polling. */
  cancelUpgrade(): void;
}

const PROBE_PONG = encodeText('pong', 'probe');
const TEXT_FRAME = { binary: false } as const;
const CLOSE_POLICY = 1008;

export class PendingUpgrade {
  probed = false;
  readonly #timer: NodeJS.Timeout;

  constructor(
    readonly ws: WebSocket,
    private readonly session: UpgradingSession,
    timeoutMs: number,
  ) {
    this.#timer = setTimeout(PendingUpgrade.#onTimeout, timeoutMs, this);
    this.#timer.unref();
  }

  static #onTimeout(upgrade: PendingUpgrade): void {
    upgrade.ws.close(CLOSE_POLICY, 'upgrade timeout');
    upgrade.session.cancelUpgrade();
  }

  /** A frame on the probe WebSocket. */
  onData(data: RawData, isBinary: boolean): void {
    const packet = isBinary ? undefined : data.toString();
    if (packet === '2probe' && !this.probed) {
      this.ws.send(PROBE_PONG, TEXT_FRAME);
      this.probed = true;
      this.session.onProbed();
      return;
    }
    if (packet === '5' && this.session.state === 'open') {
      this.session.completeUpgrade(this.ws);
      return;
    }
    this.ws.close(CLOSE_POLICY, 'unexpected packet during upgrade');
    this.session.cancelUpgrade();
  }

  /** The upgrade is over, one way or the other. */
  stop(): void {
    clearTimeout(this.#timer);
  }
}
