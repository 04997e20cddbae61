/**
 * Publishing: validating a publish request (shared by `POST /publish` and the
 * WebSocket `publish` op) and the bus that assigns seqs. In one process the
 * bus is the hub itself; under `--workers` it is the cluster primary, which
 * numbers every message and forwards it to every worker in order.
 */
import { epochMs } from '../metrics/clock.js';
import { encodeData } from './encode.js';
import { CLOSE, RequestError } from './errors.js';
import type { Hub, PublishInput } from './hub.js';
import { isAuthorized } from './http-util.js';
import { checkChannel } from './validate.js';

export interface PublishBus {
  /** Resolves with the seq assigned to each input, in order. */
  publish(inputs: PublishInput[]): Promise<number[]>;
}

export interface PublishRequest {
  inputs: PublishInput[];
  /** True when the request named one channel as a string. */
  single: boolean;
}

/**
 * `{"channel":"news","event":"update","data":...,"ts"?}`; `channel` may be a
 * list to publish the same message to several channels in one call. `data`
 * is encoded here, once for every channel and before any seq is assigned,
 * so data that cannot be sent (nested deeper than MAX_DATA_DEPTH) is
 * refused with 400 and never reaches a subscriber.
 */
export function parsePublish(body: unknown): PublishRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RequestError('publish body must be a JSON object {"channel","event","data"}');
  }
  const { channel, event = 'message', data = null, ts } = body as Record<string, unknown>;
  const channels = Array.isArray(channel) ? channel : [channel];
  if (channels.length === 0 || channels.length > 1000) {
    throw new RequestError('channel must be a name or a list of 1-1000 names');
  }
  if (typeof event !== 'string' || event.length === 0 || event.length > 128) {
    throw new RequestError('event must be a string of 1-128 characters');
  }
  if (ts !== undefined && (typeof ts !== 'number' || !Number.isFinite(ts) || ts <= 0)) {
    throw new RequestError('ts must be a positive number of epoch milliseconds');
  }
  const stamp = (ts as number | undefined) ?? epochMs();
  const seen = new Set<string>();
  const checked = channels.map((name) => {
    const valid = checkChannel(name);
    if (seen.has(valid)) throw new RequestError(`channel ${valid} listed twice`);
    seen.add(valid);
    return valid;
  });
  const dataJson = encodeData(data);
  const inputs: PublishInput[] = checked.map((name) => ({ channel: name, event, dataJson, ts: stamp }));
  return { inputs, single: !Array.isArray(channel) };
}

export function publishAnswer(request: PublishRequest, seqs: number[]): unknown {
  if (request.single) return { seq: seqs[0] };
  const bySeq: Record<string, number> = {};
  request.inputs.forEach((input, index) => {
    bySeq[input.channel] = seqs[index]!;
  });
  return { seqs: bySeq };
}

export class LocalBus implements PublishBus {
  constructor(private readonly hub: Hub) {}

  publish(inputs: PublishInput[]): Promise<number[]> {
    return Promise.resolve(inputs.map((input) => this.hub.publish(input).seq));
  }
}

/**
 * A publish that arrives on a connection (a `/ws` peer, a fallback session)
 * rather than as `POST /publish`: allowed when the connection was opened
 * with the secret or the request carries it as `token`. Resolves with the
 * answer, `{seq}` or `{seqs}`.
 */
export async function publishFromConnection(
  bus: PublishBus,
  secret: string | undefined,
  connectionAuthorized: boolean,
  request: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  if (!connectionAuthorized && !isAuthorized(`Bearer ${request.token}`, secret)) {
    throw new RequestError('publishing needs the server secret', 401, CLOSE.policyViolation, 'RTB_ERR_UNAUTHORIZED');
  }
  const parsed = parsePublish(request);
  const seqs = await bus.publish(parsed.inputs);
  return publishAnswer(parsed, seqs) as Record<string, unknown>;
}
