/**
 * What a bench gives the load clients it drives in its own process, outside a
 * fleet: minimal headers, no reconnects, no echo, a fresh meter and recorder,
 * a poll a second and long polls held for as long as a bench lasts. Failures
 * after open are ignored unless the bench passes its own onError.
 */
import type { ClientEnvironment, ClientSettings } from '../dist/clients/load-client.js';
import { ByteMeter } from '../dist/metrics/byte-meter.js';
import { DeliveryRecorder } from '../dist/metrics/delivery-recorder.js';

export const BENCH_CLIENT_SETTINGS: ClientSettings = {
  headers: 'minimal',
  conditional: false,
  pollIntervalMs: 1000,
  longPollTimeoutMs: 300_000,
  pollingOnly: false,
  reconnect: false,
  echoRate: 0,
};

export function benchClientEnvironment(
  settings: Partial<ClientSettings> = {},
  onError: (error: Error) => void = () => {},
): ClientEnvironment {
  return {
    meter: new ByteMeter(),
    deliveries: new DeliveryRecorder(),
    settings: { ...BENCH_CLIENT_SETTINGS, ...settings },
    onReconnect() {},
    onError,
  };
}
