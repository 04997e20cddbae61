/**
 * Scenarios are data: a built-in name or a JSON file, validated here, with
 * every field documented by its schema. `rtbench run` options override them.
 */
import { z } from 'zod';
import { TRANSPORTS } from '../clients/registry.js';
import { HEADER_PROFILES } from '../clients/header-profiles.js';

/** One fault of a `faults` scenario, at a time into the steady phase. */
export const faultSpecSchema = z
  .object({
    at_s: z.number().min(0).max(3600),
    action: z.enum(['kill-worker', 'stop-worker', 'drop-connections', 'pause-publisher']),
    /** drop-connections: the share of client connections each worker resets (0-1). */
    share: z.number().gt(0).max(1).optional(),
    /** stop-worker, pause-publisher: how long. */
    duration_s: z.number().positive().max(60).optional(),
  })
  .strict();

export type FaultSpec = z.infer<typeof faultSpecSchema>;

export const scenarioSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9_.-]+$/),
    description: z.string().default(''),
    kind: z.enum(['fanout', 'capacity', 'echo', 'faults']).default('fanout'),
    transports: z.array(z.enum(TRANSPORTS)).min(1),
    /** Simulated clients per transport. */
    clients: z.number().int().min(1).max(200_000),
    /** Channels the clients are spread over (client i subscribes to channel i mod channels). */
    channels: z.number().int().min(1).max(100_000),
    /** Updates per second on each channel. */
    rate: z.number().positive().max(10_000),
    /** Bytes of `data` in each update (a string of that many characters). */
    payloadBytes: z.number().int().min(0).max(1_000_000),
    /** Steady phase: the publisher runs, every byte and delivery counts. */
    durationMs: z.number().int().min(100).max(3_600_000),
    /** Connections opened per second, all client processes together. */
    rampPerSec: z.number().int().min(1).max(100_000),
    /** Handshakes in flight at most, all client processes together. */
    rampConcurrency: z.number().int().min(1).max(100_000).default(512),
    /** After the publisher stops: time for the last updates to arrive. */
    drainMs: z.number().int().min(0).max(120_000).default(2000),
    headers: z.enum(HEADER_PROFILES).default('minimal'),
    conditional: z.boolean().default(false),
    pollIntervalMs: z.number().int().min(10).max(600_000).default(1000),
    longPollTimeoutMs: z.number().int().min(100).max(300_000).default(25_000),
    /** Server processes (rtbench serve --workers). */
    serverWorkers: z.number().int().min(1).max(32).default(1),
    /** Most connections one client process holds (the file limit is 20,000). */
    clientsPerProcess: z.number().int().min(1).max(18_000).default(15_000),
    /** Loopback destinations 127.0.0.1 ... 127.0.0.N, beyond ~28,000 ephemeral ports per pair. */
    loopbackAddresses: z.number().int().min(1).max(32).default(8),
    /** Capacity search: client counts tried in order, and the p99 latency limit. */
    capacitySteps: z.array(z.number().int().min(1).max(200_000)).default([]),
    sloP99Ms: z.number().positive().default(1000),
    /** Capacity search of short-poll: how long autocannon measures the poll endpoint's ceiling (0: not at all), and its connections. */
    pollCeilingMs: z.number().int().min(0).max(600_000).default(5000),
    pollCeilingConnections: z.number().int().min(1).max(10_000).default(100),
    /** Echo scenario: round-trip messages per second per client. */
    echoRate: z.number().positive().max(1000).default(1),
    /** Faults scenario: what to inject, when (seconds into the steady phase). */
    faults: z.array(faultSpecSchema).max(100).default([]),
    /** An adapter module (path, relative to the scenario file) that drives the --target app; see src/adapter/types.ts. */
    adapter: z.string().min(1).optional(),
    /** Gate expressions checked after the run. */
    thresholds: z.array(z.string()).default([]),
  })
  .strict()
  .refine((scenario) => scenario.kind !== 'faults' || scenario.faults.length > 0, {
    message: 'a faults scenario needs at least one fault',
    path: ['faults'],
  })
  .refine(
    (scenario) => scenario.serverWorkers > 1 || !scenario.faults.some((f) => f.action === 'kill-worker' || f.action === 'stop-worker'),
    {
      message: 'killing or stopping a worker needs serverWorkers > 1 (a single-process server has no worker to spare)',
      path: ['serverWorkers'],
    },
  )
  .refine((scenario) => scenario.kind !== 'echo' || scenario.transports.every((t) => t === 'ws'), {
    message: 'the echo scenario is built for the ws transport only',
    path: ['transports'],
  });

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;

export function parseScenario(input: unknown, source: string): Scenario {
  const parsed = scenarioSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new ScenarioError(`invalid scenario ${source}:\n${problems.join('\n')}`);
}

export class ScenarioError extends Error {
  readonly code = 'RTB_ERR_SCENARIO';
}
