/**
 * Checking parsed thresholds against a run result. An expression whose
 * metrics name no transport is checked once per transport of the run, so
 * `lost==0` gives one gate result per transport and a failure says which.
 * A gate that cannot be evaluated (the transport is not in the run, nothing
 * was delivered, a field is absent) fails, with the reason in `error`.
 */
import type { GateResult, RunResult } from '../result/schema.js';
import { Missing, type MetricValue } from './metrics.js';
import { parseThresholds, type MetricRef, type Operator, type Threshold } from './parse.js';

const COMPARE: Record<Operator, (value: number, limit: number) => boolean> = {
  '<': (v, l) => v < l,
  '<=': (v, l) => v <= l,
  '>': (v, l) => v > l,
  '>=': (v, l) => v >= l,
  '==': (v, l) => v === l,
  '!=': (v, l) => v !== l,
};

export function evaluateThreshold(threshold: Threshold, result: RunResult): GateResult[] {
  const refs = threshold.operand.type === 'ratio' ? [threshold.operand.numerator, threshold.operand.denominator] : [threshold.operand.ref];
  const bindings = refs.some((ref) => ref.transport === undefined) ? Object.keys(result.transports) : [undefined];
  const named = new Set(refs.map((ref) => ref.transport).filter((t) => t !== undefined));
  return bindings.map((binding) => {
    const transport = binding ?? (named.size === 1 ? [...named][0] : undefined);
    const value = operandValue(threshold, result, binding);
    const gate: GateResult = {
      expr: threshold.expr,
      value: null,
      limit: threshold.limit,
      op: threshold.op,
      pass: false,
      unit: threshold.unit,
    };
    if (transport !== undefined) gate.transport = transport;
    if (value instanceof Missing) {
      gate.error = value.reason;
    } else {
      gate.value = value;
      gate.pass = COMPARE[threshold.op](value, threshold.limit);
    }
    return gate;
  });
}

/** Parses every expression (a GateParseError stops the lot), then evaluates them in order. */
export function applyGates(result: RunResult, exprs: readonly (string | Threshold)[]): GateResult[] {
  const thresholds = exprs.map((expr) => (typeof expr === 'string' ? parseThresholds([expr])[0]! : expr));
  return thresholds.flatMap((threshold) => evaluateThreshold(threshold, result));
}

function operandValue(threshold: Threshold, result: RunResult, binding: string | undefined): MetricValue {
  const { operand } = threshold;
  if (operand.type === 'metric') return refValue(operand.ref, result, binding);
  const numerator = refValue(operand.numerator, result, binding);
  if (numerator instanceof Missing) return numerator;
  const denominator = refValue(operand.denominator, result, binding);
  if (denominator instanceof Missing) return denominator;
  if (denominator === 0) return new Missing(`${label(operand.denominator, binding)} is 0, so the ratio has no value`);
  return numerator / denominator;
}

function refValue(ref: MetricRef, result: RunResult, binding: string | undefined): MetricValue {
  const name = ref.transport ?? binding;
  const transport = name === undefined ? undefined : result.transports[name];
  if (!transport)
    return new Missing(`transport ${name ?? '(none)'} is not in this run (it has ${Object.keys(result.transports).join(', ')})`);
  const value = ref.metric.get(transport);
  return value instanceof Missing ? new Missing(`${label(ref, binding)}: ${value.reason}`) : value;
}

function label(ref: MetricRef, binding: string | undefined): string {
  return `${ref.transport ?? binding}.${ref.metric.name}`;
}
