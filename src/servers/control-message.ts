/**
 * The JSON control messages that /ws peers and /engine.io/ sessions send:
 *   {"op":"subscribe","channel":"C","cursor":N?}
 *   {"op":"unsubscribe","channel":"C"}
 *   {"op":"publish","channel","event","data","id"?,"token"?}
 * Parsing is pure: text in, a typed message or a fault out. Each transport
 * answers on its own wire: /ws closes with the error's close code, an
 * Engine.IO session sends an error packet with the error's code.
 */
import { describeValue, MAX_DATA_DEPTH, nestsDeeperThan, tooDeep } from './encode.js';
import { RequestError } from './errors.js';
import { checkChannel, checkCursor } from './validate.js';

export type ControlMessage =
  | { op: 'subscribe'; channel: string; cursor: number | undefined; client?: unknown; token?: unknown }
  | { op: 'unsubscribe'; channel: string }
  /**
   * `fields` are checked when published (they go to the publish bus, which
   * may be another process); `id` comes back in the answer.
   */
  | { op: 'publish'; fields: Record<string, unknown>; id: unknown };

/**
 * Why a text was refused. `not-json`, `not-an-object` and `unknown-op`: it
 * is no control message at all; `bad-field`: a known op with a bad channel
 * or cursor.
 */
export type ControlFault = 'not-json' | 'not-an-object' | 'unknown-op' | 'bad-field';

export type ControlParse = { ok: true; message: ControlMessage } | { ok: false; fault: ControlFault; error: RequestError };

const refused = (fault: ControlFault, error: RequestError): ControlParse => ({ ok: false, fault, error });

export function parseControlMessage(text: string): ControlParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return refused('not-json', new RequestError('message is not valid JSON', 400, 1007, 'RTB_ERR_BAD_JSON'));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return refused('not-an-object', new RequestError('message must be a JSON object with an op'));
  }
  const fields = value as Record<string, unknown>;
  try {
    switch (fields.op) {
      case 'subscribe': {
        const channel = checkChannel(fields.channel);
        const cursor = fields.cursor === undefined ? undefined : checkCursor(fields.cursor);
        // What a private channel asks for (channel-auth.ts), checked where the connection id is known.
        return { ok: true, message: { op: 'subscribe', channel, cursor, client: fields.client, token: fields.token } };
      }
      case 'unsubscribe':
        return { ok: true, message: { op: 'unsubscribe', channel: checkChannel(fields.channel) } };
      case 'publish':
        // The id comes back in the answer, so it must be as encodable as data.
        if (nestsDeeperThan(fields.id, MAX_DATA_DEPTH)) throw tooDeep('id nests');
        return { ok: true, message: { op: 'publish', fields, id: fields.id } };
      default:
        return refused('unknown-op', new RequestError(`unknown op ${describeValue(fields.op)}`));
    }
  } catch (error) {
    if (error instanceof RequestError) return refused('bad-field', error);
    throw error;
  }
}

/**
 * Under --echo a connection may send anything and have it echoed, so only a
 * known op with bad fields is refused; the rest is echoed and ignored.
 */
export function refusedUnder(echo: boolean, fault: ControlFault): boolean {
  return !echo || fault === 'bad-field';
}
