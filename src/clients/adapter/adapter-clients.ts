/** Adapter clients by transport: the lean clients parameterised by an adapter's section for that transport. */
import type { ClientEnvironment, ClientTarget, LoadClient } from '../load-client.js';
import type { TransportName } from '../registry.js';
import type { AdapterContext } from './adapter-context.js';
import { AdapterPollClient } from './adapter-poll-client.js';
import { AdapterSocketIoClient } from './adapter-socketio-client.js';
import { AdapterSseClient } from './adapter-sse-client.js';
import { AdapterWsClient } from './adapter-ws-client.js';

export function createAdapterClient(
  transport: TransportName,
  context: AdapterContext,
  env: ClientEnvironment,
  target: ClientTarget,
  channel: string,
): LoadClient {
  switch (transport) {
    case 'short-poll':
      return new AdapterPollClient(context, false, env, target, channel);
    case 'long-poll':
      return new AdapterPollClient(context, true, env, target, channel);
    case 'sse':
      return new AdapterSseClient(context, env, target, channel);
    case 'fallback':
      return new AdapterSocketIoClient(context, env, target, channel);
    case 'ws':
      return new AdapterWsClient(context, env, target, channel);
    default:
      throw new Error(`an adapter cannot drive the ${transport} transport`);
  }
}
