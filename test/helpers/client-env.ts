/**
 * What a test gives a load client outside a fleet: minimal headers, no
 * reconnects, no echo, a fresh meter and recorder. A reconnect or an error
 * after open throws unless the test says it expects them.
 */
import type { ClientEnvironment, ClientSettings } from '../../src/clients/load-client.js';
import { ByteMeter } from '../../src/metrics/byte-meter.js';
import { DeliveryRecorder } from '../../src/metrics/delivery-recorder.js';

export const CLIENT_SETTINGS: ClientSettings = {
  headers: 'minimal',
  conditional: false,
  pollIntervalMs: 100,
  longPollTimeoutMs: 20_000,
  pollingOnly: false,
  reconnect: false,
  echoRate: 0,
};

type Callbacks = Pick<ClientEnvironment, 'onReconnect' | 'onError'>;

export function clientEnvironment(settings: Partial<ClientSettings> = {}, callbacks: Partial<Callbacks> = {}): ClientEnvironment {
  return {
    meter: new ByteMeter(),
    deliveries: new DeliveryRecorder(),
    settings: { ...CLIENT_SETTINGS, ...settings },
    onReconnect: () => {
      throw new Error('no reconnect expected');
    },
    onError: (error) => {
      throw error;
    },
    ...callbacks,
  };
}
