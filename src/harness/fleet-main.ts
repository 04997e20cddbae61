/** Entry point of a client-fleet child process; see fleet.ts and fleet-protocol.ts. */
import { epochMs } from '../metrics/clock.js';
import { summarize } from '../metrics/latency.js';
import { Fleet } from './fleet.js';
import type { FromFleet, ToFleet } from './fleet-protocol.js';

let fleet: Fleet | undefined;
const send = (message: FromFleet, then?: () => void) => process.send?.(message, undefined, {}, () => then?.());

const ticker = setInterval(() => {
  if (!fleet) return;
  const { p50, p90, p99 } = summarize(fleet.deliveries.latency.histogram);
  send({ type: 'tick', counters: fleet.counters(), p50, p90, p99, intervalP99: fleet.deliveries.intervalP99(), at: epochMs() });
}, 1000);

process.on('message', (message: ToFleet) => {
  switch (message.type) {
    case 'start':
      fleet = new Fleet(message.plan);
      fleet.ramp().then(
        () => send({ type: 'ramped', counters: fleet!.counters() }),
        (error: Error) => send({ type: 'error', message: error.message }),
      );
      return;
    case 'end-ramp':
      fleet?.endRamp();
      return;
    case 'quiesce':
      fleet?.quiesce();
      return;
    case 'mark':
      if (fleet) {
        const counters = fleet.counters();
        if (message.owed) counters.missing = fleet.missing(message.owed);
        send({ type: 'mark', name: message.name, counters });
      }
      return;
    case 'finish':
      clearInterval(ticker);
      if (!fleet) {
        process.exit(0);
      }
      fleet.finish(message.heads, message.unacknowledged).then(
        // Disconnect only once the message is out: a large final report
        // would otherwise be cut off with the channel.
        (result) => send({ type: 'final', result }, () => process.disconnect()),
        (error: Error) => send({ type: 'error', message: error.message }, () => process.disconnect()),
      );
      return;
  }
});

// The orchestrator going away ends the fleet: no load outlives its run.
process.on('disconnect', () => process.exit(0));
