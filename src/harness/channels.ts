/**
 * How simulated clients are spread over channels: client i (numbered across
 * every client process) listens to channel i mod C. The fleet subscribes by
 * this rule and the result arithmetic counts what each channel was owed by it,
 * so it lives here once.
 */
import { shareOf } from '../util/share.js';

export function channelNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `ch${i}`);
}

export function channelOf<T>(clientIndex: number, channels: readonly T[]): T {
  return channels[clientIndex % channels.length]!;
}

/** Subscribers of channel number `channelIndex` when `clients` clients follow the rule. */
export function subscribersOf(channelIndex: number, channelCount: number, clients: number): number {
  return shareOf(channelIndex, channelCount, clients);
}
