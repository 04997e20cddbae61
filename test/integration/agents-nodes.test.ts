/**
 * Issue 13's first "done when", end to end through the harness: two server
 * nodes (`rtbench serve --redis`) and three load agents (`rtbench agent`)
 * meet on one real redis-server. For every transport, a run from this
 * process (the Orchestrator with an AgentPool) spreads its clients over the
 * three agents and over both nodes (node A on 127.0.0.1:P, node B on
 * 127.0.0.2:P, publishes go to A only), so every subscriber on B gets its
 * updates through Redis. Early in the steady phase node B is killed
 * (SIGKILL) and its address is moved to node A, as a load balancer or a
 * floating address would: B's clients reconnect and resume from their
 * cursor on A. Every client must end with every update once and in order.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentPool } from '../../src/agents/agent-pool.js';
import type { TransportName } from '../../src/clients/registry.js';
import { Orchestrator, type Progress } from '../../src/harness/orchestrator.js';
import { loadScenario } from '../../src/scenarios/builtin.js';
import { parseScenario } from '../../src/scenarios/schema.js';
import { startAgents, stopAll } from '../helpers/agents.js';
import { redisForSuite } from '../helpers/redis-server.js';
import { startCli } from '../helpers/server.js';

type Node = Awaited<ReturnType<typeof startCli>>;

const TRANSPORTS: TransportName[] = ['short-poll', 'long-poll', 'sse', 'fallback', 'ws'];
const CLIENTS = 24;

/** Node B's address taken over by node A: connections to 127.0.0.2:P are piped to 127.0.0.1:P. */
class AddressTakeover {
  readonly #sockets = new Set<net.Socket>();
  readonly #server = net.createServer((client) => {
    const upstream = net.connect(this.port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        this.#sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });

  constructor(readonly port: number) {}

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.port, '127.0.0.2', () => resolve());
    });
  }

  stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** Messages a node has handed to its clients, all transports (its /metrics). */
async function delivered(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const lines = text.split('\n').filter((line) => line.startsWith('rtbench_messages_delivered_total{'));
  return lines.reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

describe('two server nodes and three load agents through one Redis', () => {
  const redis = redisForSuite();
  const nodeArgs = () => ['--redis', redis.url, '--redis-prefix', 'nodes:'];
  let nodeA: Node;
  let pool: AgentPool;

  beforeAll(async () => {
    const [a] = await Promise.all([startCli(nodeArgs()), startAgents(redis.url, ['agent-1', 'agent-2', 'agent-3'])]);
    nodeA = a;
    pool = await AgentPool.gather({ coordinator: redis.url, agents: 3, waitMs: 20_000, timeoutMs: 5000 });
  }, 60_000);

  afterAll(async () => {
    await pool?.close();
    await nodeA?.stop();
    stopAll();
  });

  it('every transport: clients on both nodes get every update once and in order; node B killed, its clients resume on A', async () => {
    const scenario = parseScenario(
      {
        ...(await loadScenario('smoke')),
        name: 'nodes',
        transports: TRANSPORTS,
        clients: CLIENTS,
        channels: 3,
        rate: 4,
        durationMs: 1500,
        drainMs: 3000,
      },
      'the test',
    );
    const port = nodeA.port;
    const orchestrator = new Orchestrator(scenario, {
      target: nodeA.url,
      targetHosts: ['127.0.0.1', '127.0.0.2'],
      fleets: pool,
    });
    const events: string[] = [];
    orchestrator.on('event', (event: { kind: string; message: string }) => events.push(`${event.kind}: ${event.message}`));
    for (const transport of TRANSPORTS) {
      const nodeB = await startCli([...nodeArgs(), '--host', '127.0.0.2', '--port', String(port)]);
      const takeover = new AddressTakeover(port);
      let killed: Promise<void> | undefined;
      let deliveredByB = 0;
      const onProgress = (progress: Progress) => {
        if (progress.transport !== transport || progress.phase !== 'steady' || killed) return;
        killed = (async () => {
          await new Promise((resolve) => setTimeout(resolve, 400));
          deliveredByB = await delivered(`http://127.0.0.2:${port}`);
          const exited = new Promise((resolve) => nodeB.child.once('exit', resolve));
          nodeB.child.kill('SIGKILL');
          await exited;
          await takeover.start();
        })();
      };
      orchestrator.on('progress', onProgress);
      try {
        const result = await orchestrator.runTransport(transport, CLIENTS, []);
        expect(killed, `${transport}: node B was killed in the steady phase`).toBeDefined();
        await killed;
        // Nothing was published on B: what it delivered before it died came through Redis.
        expect(deliveredByB, `${transport}: updates node B delivered before it was killed`).toBeGreaterThan(0);
        expect(result.clients, transport).toMatchObject({ target: CLIENTS, open: CLIENTS, failed: 0, dropped: 0 });
        expect(result.updates.published, transport).toBeGreaterThan(0);
        expect(result.updates, transport).toMatchObject({ lost: 0, duplicated: 0, reordered: 0, gaps: 0 });
        expect(result.updates.delivered, transport).toBe(result.updates.expected);
        // Every subscriber was owed every update of this transport's run (polling clients that
        // start from cursor 0 are owed the earlier transports' updates in the history too).
        expect(result.updates.expected, transport).toBeGreaterThanOrEqual((result.updates.published * CLIENTS) / scenario.channels);
        // Half the clients were on node B: each lost its connection and came back on A. A short
        // poll between two requests sees B's death as the close of an idle keep-alive connection
        // (the kernel sends FIN for a killed process's idle sockets) and, as a browser does, sends
        // its next poll on a new connection: no reconnect, and still nothing lost.
        if (transport !== 'short-poll') expect(result.clients.reconnected, transport).toBeGreaterThanOrEqual(CLIENTS / 2);
        expect(result.agents!.map((agent) => agent.clients.target)).toEqual([8, 8, 8]);
        expect(result.agents!.every((agent) => !agent.vanished)).toBe(true);
      } finally {
        orchestrator.off('progress', onProgress);
        await killed?.catch(() => {});
        await takeover.stop().catch(() => {});
        await nodeB.stop();
      }
    }
    expect(events.filter((event) => /agent-lost|client-process-exit|target-down/.test(event))).toEqual([]);
  }, 180_000);
});
