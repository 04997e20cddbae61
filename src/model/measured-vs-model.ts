/**
 * Puts what a run measured beside the model: each transport's measured bytes
 * per update, and the talk's table recomputed from them. Reads only the few
 * run-result fields it needs, so it stays a pure function of numbers.
 */
import { bandwidth, modelTable, type Bandwidth, type ModelOptions, type ModelTable } from './bandwidth-model.js';
import { framingBytes } from './frame-size.js';
import { baseTransport } from '../result/transport-name.js';

/** The part of a run result (`rtbench.run/1`) this module reads. */
export interface MeasuredInput {
  transports: Record<
    string,
    {
      clients: { open: number; target: number };
      updates: { delivered: number };
      bytes: { per_update: number; overhead_per_update: number };
    }
  >;
}

/**
 * Which line of the model a transport is measured against. Both polling
 * transports pay an HTTP exchange per update; the fallback, once upgraded,
 * sends WebSocket frames (its Engine.IO/Socket.IO prefix then shows as
 * overhead above the model). SSE has no line in the talk's table.
 */
export const MODEL_LINE: Record<string, 'polling' | 'websocket' | undefined> = {
  'short-poll': 'polling',
  'long-poll': 'polling',
  ws: 'websocket',
  fallback: 'websocket',
};

export interface MeasuredRow {
  transport: string;
  model_line: 'polling' | 'websocket' | null;
  /** Headers (polling) or framing (WebSocket) per update, per the model. */
  model_overhead_per_update: number | null;
  measured_per_update: number;
  measured_overhead_per_update: number;
  payload_per_update: number;
  /** measured overhead / model overhead. */
  overhead_vs_model: number | null;
  delivered: number;
  clients_open: number;
  clients_target: number;
  /** The model's client counts at its rate, from the measured figures. */
  at_scale: { clients: number; overhead: Bandwidth; wire: Bandwidth }[];
}

export interface MeasuredVsModel {
  model: ModelTable;
  measured: MeasuredRow[];
}

export function measuredVsModel(run: MeasuredInput, options: Partial<ModelOptions> = {}): MeasuredVsModel {
  const model = modelTable(options);
  const { clients, rate, headerBytes, framing } = model.options;
  const measured = Object.entries(run.transports).map(([transport, t]): MeasuredRow => {
    // A variant (`short-poll+h2`) is measured against its base transport's line.
    const line = MODEL_LINE[transport] ?? MODEL_LINE[baseTransport(transport)] ?? null;
    const payload = Math.max(0, t.bytes.per_update - t.bytes.overhead_per_update);
    // A frame header depends on the payload it carries, so the model is
    // asked about the payload the run actually delivered.
    const modelOverhead = line === 'polling' ? headerBytes : line === 'websocket' ? framingBytes(Math.round(payload), framing) : null;
    const delivered = t.updates.delivered;
    return {
      transport,
      model_line: line,
      model_overhead_per_update: modelOverhead,
      measured_per_update: t.bytes.per_update,
      measured_overhead_per_update: t.bytes.overhead_per_update,
      payload_per_update: round(payload, 2),
      overhead_vs_model: modelOverhead && delivered > 0 ? t.bytes.overhead_per_update / modelOverhead : null,
      delivered,
      clients_open: t.clients.open,
      clients_target: t.clients.target,
      at_scale: clients.map((count) => ({
        clients: count,
        overhead: bandwidth(t.bytes.overhead_per_update, count, rate),
        wire: bandwidth(t.bytes.per_update, count, rate),
      })),
    };
  });
  return { model, measured };
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
