/**
 * The grammar of transport names, shared by the run result, scenarios, the
 * CLI and gate expressions: a base transport (`short-poll`, `ws`), then any
 * number of variants after a "+" (`sse+h2`, `ws+deflate`). Each part is
 * lower-case words joined by "-", so a name never holds "." or spaces and a
 * gate can always read `sse+h2.bytes_per_update` back as transport + metric.
 */
const PART = '[a-z0-9]+(?:-[a-z0-9]+)*';

export const TRANSPORT_NAME = new RegExp(`^${PART}(?:\\+${PART})*$`);

export const TRANSPORT_NAME_RULE = 'transport names are lower-case words joined by "-", with variants after "+" (sse+h2)';

export interface TransportNameParts {
  /** The transport without its variants: what the wire protocol on top is (`sse`). */
  base: string;
  /** In the order written (`['h2']`). */
  variants: string[];
}

export function transportNameParts(name: string): TransportNameParts {
  const [base = '', ...variants] = name.split('+');
  return { base, variants };
}

/** `sse+h2` -> `sse`; a name without variants is its own base. */
export function baseTransport(name: string): string {
  return transportNameParts(name).base;
}

export function hasVariant(name: string, variant: string): boolean {
  return transportNameParts(name).variants.includes(variant);
}
