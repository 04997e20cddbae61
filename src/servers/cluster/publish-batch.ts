/**
 * Publishes on the IPC channel with their data sent once. One publish may
 * name up to 1,000 channels; sent as one envelope per channel, its data was
 * serialised, copied and parsed 1,000 times per worker (60-100 MB per
 * process and a ~1 s stall of the sequencer for a 1,000-channel publish).
 * A batch carries the encoded data once and the list of channels (and, on
 * the way back, their seqs); each worker builds the per-channel messages
 * from the one string.
 */
import { encodeData } from '../encode.js';
import type { Hub, PublishInput } from '../hub.js';

/** Inputs that share event, ts and data: one publish to several channels. */
export interface PublishBatch {
  event: string;
  ts: number;
  /** The data as JSON text (encode.ts), once for every channel. */
  dataJson: string;
  channels: string[];
}

/** A batch the sequencer numbered: `seqs[i]` is the seq of `channels[i]`. */
export interface DeliverBatch extends PublishBatch {
  seqs: number[];
}

/**
 * Groups consecutive inputs with the same event, ts and data. Inputs from
 * parsePublish share one dataJson string, so a 1,000-channel publish is one
 * batch. Throws a RequestError (400) for data that cannot be encoded.
 */
export function packInputs(inputs: PublishInput[], now: () => number): PublishBatch[] {
  const batches: PublishBatch[] = [];
  let last: PublishBatch | undefined;
  for (const input of inputs) {
    const dataJson = input.dataJson ?? encodeData(input.data);
    const ts = input.ts ?? now();
    if (last && last.event === input.event && last.ts === ts && last.dataJson === dataJson) {
      last.channels.push(input.channel);
      continue;
    }
    last = { event: input.event, ts, dataJson, channels: [input.channel] };
    batches.push(last);
  }
  return batches;
}

/** Numbers every channel of every batch in the sequencer's hub; the seqs in input order. */
export function sequenceBatches(sequencer: Hub, batches: PublishBatch[]): DeliverBatch[] {
  return batches.map(({ event, ts, dataJson, channels }) => ({
    event,
    ts,
    dataJson,
    channels,
    seqs: channels.map((channel) => sequencer.publish({ channel, event, ts, dataJson }).seq),
  }));
}

/**
 * Applies a numbered batch to a worker's hub, in order, with fan-out. Every
 * worker gets every batch in the sequencer's order, so the next seq of a
 * channel is normally its head + 1 and the hub numbers it the same way from
 * the shared data string. A seq at or below the head is already here (a
 * history snapshot carried it); a jump is left to `ingest`, which accepts it
 * on a channel this worker has not seen and refuses a gap otherwise.
 */
export function applyBatch(hub: Hub, batch: DeliverBatch): void {
  const { event, ts, dataJson, channels, seqs } = batch;
  for (let i = 0; i < channels.length; i++) {
    const channel = channels[i]!;
    const seq = seqs[i]!;
    const head = hub.head(channel);
    if (seq === head + 1) hub.publish({ channel, event, ts, dataJson });
    else if (seq > head) hub.ingest({ channel, seq, event, ts, data: JSON.parse(dataJson) });
  }
}
