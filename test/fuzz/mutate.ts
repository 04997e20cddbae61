/**
 * Mutation: a valid-looking input with a few random edits (a byte flipped,
 * a range cut out or doubled, random bytes put in, the end cut off), the way
 * a mutational fuzzer reaches the corners a grammar alone does not.
 */
import fc from 'fast-check';

type Edit =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'cut'; at: number; length: number }
  | { kind: 'double'; at: number; length: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'truncate'; at: number };

const position = fc.nat({ max: 1 << 20 });
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.nat({ max: 7 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: position, length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('double' as const), at: position, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
);

function apply(input: Buffer, change: Edit): Buffer {
  if (input.length === 0) return change.kind === 'insert' ? Buffer.from(change.bytes) : input;
  const at = change.at % input.length;
  switch (change.kind) {
    case 'flip': {
      const copy = Buffer.from(input);
      copy[at] = copy[at]! ^ (1 << change.bit);
      return copy;
    }
    case 'cut':
      return Buffer.concat([input.subarray(0, at), input.subarray(at + change.length)]);
    case 'double':
      return Buffer.concat([input.subarray(0, at + change.length), input.subarray(at)]);
    case 'insert':
      return Buffer.concat([input.subarray(0, at), Buffer.from(change.bytes), input.subarray(at)]);
    case 'truncate':
      return input.subarray(0, at);
  }
}

/** `base` as bytes, with 1-3 random edits. */
export function mutated(base: fc.Arbitrary<string | Buffer>): fc.Arbitrary<Buffer> {
  return fc
    .tuple(base, fc.array(edit, { minLength: 1, maxLength: 3 }))
    .map(([value, edits]) => printable(edits.reduce(apply, typeof value === 'string' ? Buffer.from(value) : value)));
}

/** Mostly `base` as generated, sometimes mutated. */
export function sometimesMutated(base: fc.Arbitrary<string>): fc.Arbitrary<Buffer> {
  return fc.oneof({ weight: 4, arbitrary: base.map((text) => printable(Buffer.from(text))) }, { weight: 1, arbitrary: mutated(base) });
}

/** Makes fast-check print `bytes` as a latin1 string (a counterexample a person can read) instead of a byte list. */
export function printable(bytes: Buffer): Buffer {
  Object.defineProperty(bytes, fc.toStringMethod, { value: () => `latin1${JSON.stringify(bytes.toString('latin1'))}` });
  return bytes;
}
