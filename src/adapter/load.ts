/**
 * Loading and checking an adapter module: the default export (or an export
 * named `adapter`) is validated with zod, so a typo fails before any client
 * connects, with the field that is wrong named (`adapter.socketio.subscribe.event:
 * expected string`). Functions are checked to be functions only; what they
 * return is checked when they are called (adapter-calls.ts).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { Adapter } from './types.js';

type AnyFunction = (...args: never[]) => unknown;
const fn = z.custom<AnyFunction>((value) => typeof value === 'function', { message: 'expected a function' });
const headers = z.record(z.string(), z.string());
const channelPath = z.union([z.string().startsWith('/'), fn]);

const socketIo = z
  .object({
    path: z.string().startsWith('/').optional(),
    namespace: z.string().startsWith('/').optional(),
    auth: z.union([z.record(z.string(), z.unknown()), fn]).optional(),
    subscribe: z
      .object({ event: z.string().min(1), args: fn.optional(), ack: z.boolean().optional() })
      .strict()
      .optional(),
    updates: z.array(z.string().min(1)).min(1).optional(),
    transports: z
      .array(z.enum(['polling', 'websocket']))
      .min(1)
      .max(2)
      .optional(),
  })
  .strict();

const ws = z.object({ path: channelPath.optional(), headers: headers.optional(), subscribe: fn.optional(), ready: fn.optional() }).strict();

const sse = z
  .object({
    path: channelPath,
    headers: headers.optional(),
    events: z.array(z.string().min(1)).min(1).optional(),
    lastEventId: z.boolean().optional(),
  })
  .strict();

const poll = z
  .object({
    path: channelPath,
    headers: headers.optional(),
    etag: z.boolean().optional(),
    cursor: fn.optional(),
    items: fn.optional(),
  })
  .strict();

const publish = z
  .object({
    http: fn.optional(),
    ws: z
      .object({ path: z.string().startsWith('/').optional(), headers: headers.optional(), open: fn.optional(), message: fn })
      .strict()
      .optional(),
  })
  .strict()
  .refine((p) => (p.http ? 1 : 0) + (p.ws ? 1 : 0) === 1, { message: 'give exactly one way to publish: http or ws' });

export const adapterSchema = z
  .object({
    name: z.string().min(1).max(64).optional(),
    socketio: socketIo.optional(),
    ws: ws.optional(),
    sse: sse.optional(),
    poll: poll.optional(),
    longPoll: poll.optional(),
    publish,
    findMarkers: fn.optional(),
    health: z.string().startsWith('/').optional(),
    check: z
      .object({
        subscribeMs: z.number().int().min(100).max(120_000).optional(),
        deliverMs: z.number().int().min(100).max(120_000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((a) => a.socketio || a.ws || a.sse || a.poll || a.longPoll, {
    message: 'an adapter needs at least one of socketio, ws, sse, poll, longPoll',
  });

export class AdapterError extends Error {
  readonly code = 'RTB_ERR_ADAPTER';
}

/** Checks a module's export; throws AdapterError naming every bad field. */
export function parseAdapter(value: unknown, source: string): Adapter {
  const parsed = adapterSchema.safeParse(value);
  if (parsed.success) return value as Adapter;
  const problems = parsed.error.issues.map((issue) => `  adapter${issue.path.map((p) => `.${String(p)}`).join('')}: ${issue.message}`);
  throw new AdapterError(`invalid adapter ${source}:\n${problems.join('\n')}`);
}

export interface LoadedAdapter {
  adapter: Adapter;
  /** Absolute path of the module: each client process imports it again. */
  module: string;
  name: string;
}

/** Imports `file` (relative to the working directory) and checks its export. */
export async function loadAdapter(file: string): Promise<LoadedAdapter> {
  const module = path.resolve(file);
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(module).href)) as Record<string, unknown>;
  } catch (error) {
    throw new AdapterError(`cannot load adapter ${file}: ${(error as Error).message}`);
  }
  const value = exports.default ?? exports.adapter;
  if (value === undefined) throw new AdapterError(`adapter ${file} has no default export (nor one named "adapter")`);
  const adapter = parseAdapter(value, file);
  return { adapter, module, name: adapter.name ?? path.basename(module).replace(/\.[cm]?[jt]s$/, '') };
}

/** The rtbench transports an adapter drives: socketio is the fallback transport, poll short-poll, longPoll long-poll. */
export function adapterTransports(adapter: Adapter): ('short-poll' | 'long-poll' | 'sse' | 'fallback' | 'ws')[] {
  const transports: ('short-poll' | 'long-poll' | 'sse' | 'fallback' | 'ws')[] = [];
  if (adapter.poll) transports.push('short-poll');
  if (adapter.longPoll) transports.push('long-poll');
  if (adapter.sse) transports.push('sse');
  if (adapter.socketio) transports.push('fallback');
  if (adapter.ws) transports.push('ws');
  return transports;
}
