/**
 * Encoding what clients send, once and inside a guard. `JSON.parse` reads
 * nesting of any depth iteratively, but `JSON.stringify` recurses, so a
 * publish of ~200 KB of `[[[[...]]]]` would parse fine and then overflow the
 * stack wherever it is first encoded: in a fan-out, in a poll answer, in a
 * `process.nextTick`. Depth is therefore checked without recursion before
 * anything is stringified, and a message is encoded when it is published,
 * before it gets a seq: what cannot be encoded is refused, and nothing
 * accepted can fail later.
 */
import { RequestError } from './errors.js';

/** Deepest nesting of objects and arrays accepted in `data` (and in a publish `id`). */
export const MAX_DATA_DEPTH = 64;

/**
 * True when `value` nests objects or arrays deeper than `limit` levels (a
 * scalar is depth 0, `[]` and `{}` depth 1). Walks an explicit stack, so a
 * value of any depth is measured without recursion. A typed array or Buffer
 * counts as the two levels its JSON (`{"type","data":[...]}`) takes.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const pending: object[] = [value];
  const depths: number[] = [1];
  while (pending.length > 0) {
    const node = pending.pop()!;
    const depth = depths.pop()!;
    if (ArrayBuffer.isView(node)) {
      if (depth + 1 > limit) return true;
      continue;
    }
    if (depth > limit) return true;
    const children: unknown[] = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) {
        pending.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/** `subject` names the value and its verb: `data nests`, `event arguments nest`. */
export function tooDeep(subject: string, limit = MAX_DATA_DEPTH): RequestError {
  return new RequestError(`${subject} deeper than ${limit} levels`, 400, 1008, 'RTB_ERR_DATA_TOO_DEEP');
}

/**
 * `data` as JSON text, ready to be spliced into an envelope. Throws a 400
 * RequestError (RTB_ERR_DATA_TOO_DEEP, RTB_ERR_DATA_UNENCODABLE) for what
 * cannot be sent; `undefined` is sent as `null`.
 */
export function encodeData(data: unknown): string {
  if (nestsDeeperThan(data, MAX_DATA_DEPTH)) throw tooDeep('data nests');
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch (error) {
    // Not reachable from parsed JSON within the depth limit; a guard for callers passing objects.
    throw new RequestError(`data cannot be encoded as JSON: ${(error as Error).message}`, 400, 1008, 'RTB_ERR_DATA_UNENCODABLE');
  }
  return json ?? 'null';
}

/**
 * A client-sent value for an error message: scalars as JSON (strings cut to
 * 64 characters), anything else by its kind. Never stringifies a structure,
 * which could be nested deep enough to overflow the stack.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 64));
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}
