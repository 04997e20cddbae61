/**
 * What a transport run does differently when it drives an app through an
 * adapter: the target is probed without /healthz, the adapter's steps are
 * checked with one client before any load (a failure is an event that makes
 * the run invalid, naming the step), the client processes load the adapter
 * module, and the publisher publishes the adapter's way with markers.
 */
import { checkAdapter } from '../adapter/check.js';
import type { LoadedAdapter } from '../adapter/load.js';
import { newRunId } from '../adapter/marker.js';
import { updateSender } from '../adapter/publish.js';
import type { TransportName } from '../clients/registry.js';
import type { Scenario } from '../scenarios/schema.js';
import type { FleetAdapter } from './fleet-protocol.js';
import { fleetPlans } from './fleet-plans.js';
import type { RunEvents } from './run-events.js';
import type { RunTarget } from './run-target.js';
import { appProbe, type HealthProbe } from './target-watch.js';

export class AdapterDrive {
  /** The marker id of this transport run: markers of any other (an earlier run the app replays) are not counted. */
  readonly run = newRunId();

  constructor(
    readonly loaded: LoadedAdapter,
    readonly scenario: Scenario,
    readonly transport: TransportName,
  ) {}

  get probe(): HealthProbe {
    return appProbe(this.loaded.adapter.health);
  }

  get fleet(): FleetAdapter {
    return { module: this.loaded.module, run: this.run, payloadBytes: this.scenario.payloadBytes };
  }

  /** Subscribe, publish, deliver with one client on the first channel; false (and an event naming the step) when one fails. */
  async check(target: RunTarget, channel: string, events: RunEvents): Promise<boolean> {
    const [plan] = fleetPlans(this.scenario, this.transport, 1, [channel], target.clientTargets);
    const started = performance.now();
    const { failure, bytes } = await checkAdapter({
      adapter: this.loaded.adapter,
      transport: this.transport,
      baseUrl: target.baseUrl,
      target: target.clientTargets[0]!,
      settings: plan!.settings,
      channel,
      payloadBytes: this.scenario.payloadBytes,
    });
    if (failure) {
      events.add('adapter-check-failed', `adapter ${this.loaded.name}: ${failure}`, this.transport);
      return false;
    }
    const ms = Math.round(performance.now() - started);
    events.add(
      'adapter-checked',
      `adapter ${this.loaded.name}: subscribe, publish and deliver worked with one client in ${ms} ms ` +
        `(its ${bytes.down} bytes down and ${bytes.up} up are not in the figures)`,
      this.transport,
    );
    return true;
  }

  publisher(baseUrl: string) {
    return { sender: updateSender(this.loaded.adapter, baseUrl), run: this.run };
  }
}
