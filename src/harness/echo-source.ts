/**
 * The echo scenario's stand-in for the publisher: the clients are their own
 * source of round trips, so nothing is published; stopping it tells the
 * clients to stop echoing so the last round trips can come home.
 */
export class EchoSource {
  readonly heads: Record<string, number> = {};
  readonly attempted = 0;
  readonly accepted = 0;
  readonly failed = 0;
  readonly retried = 0;
  readonly unacknowledged: Record<string, number> = {};
  readonly errors = new Set<string>();

  constructor(private readonly quiesceClients: () => void) {}

  start(): void {}

  pause(): void {}

  async stop(): Promise<void> {
    this.quiesceClients();
  }
}
