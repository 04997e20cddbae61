/**
 * The one clock a delivery latency is read from, in epoch milliseconds with
 * sub-millisecond resolution. The publisher stamps each update with it (in
 * the orchestrator's process) and the clients stamp each receipt with it (in
 * the fleet processes): `performance.now()` alone counts from each process's
 * own start, `timeOrigin` added to it makes the readings comparable across
 * processes, and it stays finer than `Date.now()`.
 */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
