/**
 * Threshold expressions, parsed once into an AST and evaluated against run
 * results as often as needed (evaluate.ts). Two spellings, which can be mixed
 * in one list:
 *
 *   k6 style     ws.latency: p(99)<250ms      latency: med<20ms     ws.lost: value==0
 *   plain        short-poll.bytes_per_update<1KB     lost==0
 *   ratio        ratio(short-poll.bandwidth, ws.bandwidth)>100
 *
 * A metric without a transport prefix stands for every transport in the run.
 * A limit without a unit is in the metric's own unit (docs/gates.md).
 */
import { TRANSPORT_NAME } from '../result/schema.js';
import { METRICS, PERCENTILES, TREND_AGGREGATORS, type MetricDef } from './metrics.js';
import { isUnit, unitFactor, unitsOf, type Kind } from './units.js';

export const OPERATORS = ['<=', '>=', '==', '!=', '<', '>'] as const;
export type Operator = (typeof OPERATORS)[number];

export interface MetricRef {
  /** Absent: bound to each transport of the run in turn. */
  transport?: string;
  metric: MetricDef;
}

export type Operand = { type: 'metric'; ref: MetricRef } | { type: 'ratio'; numerator: MetricRef; denominator: MetricRef };

export interface Threshold {
  expr: string;
  operand: Operand;
  op: Operator;
  /** In `unit`, the unit the operand's values are reported in. */
  limit: number;
  unit: string;
  kind: Kind;
}

export class GateParseError extends Error {
  readonly code = 'RTB_ERR_GATE';
  constructor(
    readonly expr: string,
    /** 0-based index of the offending character. */
    readonly index: number,
    readonly detail: string,
  ) {
    super(`invalid threshold "${expr}" at position ${index + 1}: ${detail}\n  ${expr}\n  ${' '.repeat(index)}^`);
  }
}

/** Metric names with their transport: `+` belongs to variant names (`sse+h2.lost`). */
const NAME = /[A-Za-z0-9_.+-]/;

class Parser {
  #at = 0;
  constructor(readonly expr: string) {}

  fail(detail: string, at = this.#at): never {
    throw new GateParseError(this.expr, at, detail);
  }

  space(): void {
    while (this.#at < this.expr.length && /\s/.test(this.expr[this.#at]!)) this.#at++;
  }

  peek(text: string): boolean {
    return this.expr.startsWith(text, this.#at);
  }

  take(text: string): boolean {
    if (!this.peek(text)) return false;
    this.#at += text.length;
    return true;
  }

  expect(text: string, what = `"${text}"`): void {
    if (!this.take(text)) this.fail(`expected ${what}${this.found()}`);
  }

  found(): string {
    return this.#at < this.expr.length ? `, found "${this.expr[this.#at]}"` : ', found the end';
  }

  name(what: string): { text: string; at: number } {
    const at = this.#at;
    while (this.#at < this.expr.length && NAME.test(this.expr[this.#at]!)) this.#at++;
    if (this.#at === at) this.fail(`expected ${what}${this.found()}`);
    return { text: this.expr.slice(at, this.#at), at };
  }

  number(): { value: number; at: number } {
    const at = this.#at;
    const match = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?/i.exec(this.expr.slice(at));
    if (!match) this.fail(`expected a number${this.found()}`);
    this.#at += match[0].length;
    return { value: Number(match[0]), at };
  }

  /** The unit right after a number; after a space only a known unit counts (`250 ms`, not `0 and more`). */
  unit(): { text: string; at: number } {
    const start = this.#at;
    this.space();
    const at = this.#at;
    const match = /^(?:%|\/s|[A-Za-zµ]+(?:\/s)?)/.exec(this.expr.slice(at));
    if (!match || (at > start && !isUnit(match[0]))) {
      this.#at = start;
      return { text: '', at: start };
    }
    this.#at += match[0].length;
    return { text: match[0], at };
  }

  /** `ratio(`: a transport could be called ratio-something, so the parenthesis decides. */
  ratioAhead(): boolean {
    return /^ratio\s*\(/.test(this.expr.slice(this.#at));
  }

  operator(): Operator {
    this.space();
    for (const op of OPERATORS) if (this.take(op)) return op;
    if (this.peek('=')) this.fail('"=" is not an operator; use "=="');
    return this.fail(`expected one of ${OPERATORS.join(' ')}${this.found()}`);
  }

  end(): void {
    this.space();
    if (this.#at < this.expr.length) this.fail(`unexpected "${this.expr.slice(this.#at)}" after the limit`);
  }

  get at(): number {
    return this.#at;
  }
}

export function parseThreshold(expr: string): Threshold {
  const p = new Parser(expr);
  p.space();
  if (p.at === expr.length) p.fail('the threshold is empty');
  let operand: Operand;
  if (p.ratioAhead()) {
    p.expect('ratio');
    p.space();
    p.expect('(');
    p.space();
    const numerator = resolveRef(p, p.name('a metric'));
    p.space();
    p.expect(',', '"," between the two metrics of ratio()');
    p.space();
    const denominator = resolveRef(p, p.name('a metric'));
    p.space();
    p.expect(')', '")" to close ratio(');
    operand = { type: 'ratio', numerator, denominator };
  } else {
    const target = p.name('a metric name or ratio(...)');
    p.space();
    operand = { type: 'metric', ref: p.take(':') ? k6Target(p, target) : resolveRef(p, target) };
  }
  const op = p.operator();
  p.space();
  const number = p.number();
  const unit = p.unit();
  p.end();
  const kind: Kind = operand.type === 'ratio' ? 'ratio' : operand.ref.metric.kind;
  const canonical = operand.type === 'ratio' ? 'x' : operand.ref.metric.unit;
  return { expr, operand, op, limit: convert(p, number.value, unit, kind, canonical, describe(operand)), unit: canonical, kind };
}

/** Parses every expression first, so one bad expression stops the lot before anything is evaluated. */
export function parseThresholds(exprs: readonly string[]): Threshold[] {
  return exprs.map(parseThreshold);
}

function describe(operand: Operand): string {
  return operand.type === 'ratio' ? 'ratio()' : operand.ref.metric.name;
}

function splitTransport(p: Parser, text: string, at: number): { transport?: string; rest: string } {
  const dot = text.indexOf('.');
  if (dot <= 0) return { rest: text };
  const transport = text.slice(0, dot);
  if (!TRANSPORT_NAME.test(transport)) p.fail(`"${transport}" is not a transport name`, at);
  return { transport, rest: text.slice(dot + 1) };
}

function resolveRef(p: Parser, { text, at }: { text: string; at: number }): MetricRef {
  // A whole name that is a metric wins, so `clients.open` is not read as a transport "clients".
  const whole = METRICS.get(text);
  if (whole) return { metric: whole };
  const { transport, rest } = splitTransport(p, text, at);
  const metric = transport !== undefined ? METRICS.get(rest) : undefined;
  if (transport !== undefined && metric) return { transport, metric };
  if (TREND_AGGREGATORS[transport !== undefined ? rest : text]) {
    p.fail(`"${text}" needs an aggregation: write "${text}: p(99)<..." or "${text}.p99<..."`, at);
  }
  return p.fail(`unknown metric "${transport !== undefined ? rest : text}"; known: ${[...METRICS.keys()].join(', ')}`, at);
}

/** `ws.latency: p(99)`, `latency: med`, `ws.lost: value`. */
function k6Target(p: Parser, target: { text: string; at: number }): MetricRef {
  p.space();
  const family = TREND_AGGREGATORS[target.text] ? { rest: target.text } : splitTransport(p, target.text, target.at);
  const aggregators = TREND_AGGREGATORS[family.rest];
  const aggregatorAt = p.at;
  if (aggregators) {
    let name: string | undefined;
    if (p.take('p(')) {
      p.space();
      const percentile = p.number();
      p.space();
      p.expect(')', '")" to close p(');
      name = PERCENTILES[String(percentile.value)];
      if (!name)
        p.fail(
          `p(${percentile.value}) is not recorded; use ${Object.keys(PERCENTILES)
            .map((n) => `p(${n})`)
            .join(', ')}`,
          percentile.at,
        );
    } else {
      const word = p.name('an aggregation such as p(99)');
      name = aggregators[word.text];
      if (!name)
        p.fail(`"${word.text}" is not an aggregation of ${family.rest}; use p(N), ${Object.keys(aggregators).join(', ')}`, word.at);
    }
    return { transport: family.transport, metric: METRICS.get(name)! };
  }
  const ref = resolveRef(p, target);
  const word = p.name('"value"');
  if (word.text !== 'value') p.fail(`${ref.metric.name} is a single number: its only aggregation is "value"`, aggregatorAt);
  return ref;
}

function convert(p: Parser, value: number, unit: { text: string; at: number }, kind: Kind, canonical: string, what: string): number {
  if (unit.text === '') return value;
  const factor = unitFactor(kind, unit.text);
  if (factor === undefined) {
    const allowed = unitsOf(kind);
    p.fail(
      `unit "${unit.text}" does not fit ${what} (${allowed.length ? `use ${allowed.join(', ')} or none` : 'a count takes no unit'})`,
      unit.at,
    );
  }
  // Rounded so 250ms compares as 250, not 249.99999999999997.
  return Number(((value * factor) / unitFactor(kind, canonical)!).toPrecision(12));
}
