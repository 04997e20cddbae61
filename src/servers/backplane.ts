/**
 * A backplane joins several server nodes into one server: it numbers every
 * publish once for all of them and hands every node every message in seq
 * order. `rtbench serve --redis` is the one there is (redis/); without it no
 * backplane exists and nothing here is used. This file holds only the shapes,
 * so the server's modules can name them without loading any Redis code.
 */
import { epochMs } from '../metrics/clock.js';
import { type App, type AppOptions, createApp } from './app.js';
import { type DeliverBatch, type PublishBatch, packInputs } from './cluster/publish-batch.js';
import { Hub, type PublishInput } from './hub.js';
import type { PublishBus } from './publish.js';

/** What /healthz says of the backplane. */
export interface BackplaneHealth {
  /** False while the node cannot reach it: publishes fail (503), /healthz answers 503. */
  connected: boolean;
  /** Where it is, without credentials. */
  url: string;
  /** Why it is unreachable, while it is. */
  error?: string;
}

export interface Backplane {
  /** Numbers every channel of every batch, in order; rejects (503 RTB_ERR_BACKPLANE) when the backplane did not take them. */
  publish(batches: PublishBatch[]): Promise<number[]>;
  /**
   * Loads the history into `hub`, then applies every message published on any
   * node to it in seq order, calling `onApplied` after each group (the cluster
   * primary forwards them to its workers).
   */
  start(hub: Hub, onApplied?: (batches: DeliverBatch[]) => void): Promise<void>;
  health(): BackplaneHealth;
  /** Called on every change of health (the cluster primary tells its workers). */
  onHealth(listener: (health: BackplaneHealth) => void): void;
  close(): Promise<void>;
}

/** A node's view of its backplane's health, for /healthz. */
export interface BackplaneStatus {
  /** Undefined while the node has no backplane (a cluster worker before its primary said). */
  health(): BackplaneHealth | undefined;
}

/** A one-process node's publish path: the backplane numbers, the hub hears it back from the backplane's stream. */
export class BackplaneBus implements PublishBus {
  constructor(private readonly backplane: Backplane) {}

  publish(inputs: PublishInput[]): Promise<number[]> {
    try {
      return this.backplane.publish(packInputs(inputs, epochMs));
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

/** A URL as shown in messages and /healthz: without user and password. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    parsed.username = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/** One process on a backplane (`serve --redis` without --workers): its hub loads and follows the backplane, its publishes go through it. */
export async function createBackplaneApp(backplane: Backplane, options: AppOptions = {}): Promise<App> {
  const hub = new Hub(options.config);
  await backplane.start(hub);
  return createApp({ ...options, hub, bus: new BackplaneBus(backplane), backplane });
}
