/**
 * Short polling, `GET /poll?channel=C&cursor=N`: answers at once with the
 * messages after the cursor. The ETag names the channel heads, so a client
 * that sends `If-None-Match` gets a bodiless 304 while nothing is new - the
 * careful client's poll, which changes the byte count.
 */
import { getRoute, queryOf } from '../http-util.js';
import { checkCursors, collectMessages, etagOf, pollBody, sendPoll } from './poll-body.js';
import type { ServerContext, ServerTransport } from '../transport.js';
import { parseSubscriptions } from '../validate.js';

export function shortPollTransport(context: ServerContext): ServerTransport {
  const { hub, config } = context;
  let delivered = 0;
  return {
    name: 'short-poll',
    routes: {
      '/poll': getRoute((req, res) => {
        const subscriptions = parseSubscriptions(queryOf(req.url), { cursorRequired: true, maxChannels: config.maxSubscriptions });
        checkCursors(context, subscriptions);
        const etag = etagOf(hub, subscriptions);
        if (req.headers['if-none-match'] === etag) {
          res.writeHead(304, { etag });
          res.end();
          return;
        }
        const collected = collectMessages(hub, subscriptions);
        delivered += collected.messages.length;
        sendPoll(res, pollBody(subscriptions, collected), config.gzip, etag);
      }),
    },
    stats: () => ({ connections: 0, subscribers: 0, delivered }),
    close: () => {},
  };
}
