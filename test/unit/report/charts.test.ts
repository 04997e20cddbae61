/** Chart scales: round ticks that cover the data. */
import { describe, expect, it } from 'vitest';
import { linearTicks, logTicks } from '../../../src/report/charts/svg.js';
import { formatBitrate, formatChange, formatSignificant } from '../../../src/report/format.js';

describe('chart ticks', () => {
  it('linear ticks are round steps from 0 past the maximum', () => {
    expect(linearTicks(432)).toEqual([0, 100, 200, 300, 400, 500]);
    expect(linearTicks(40)).toEqual([0, 10, 20, 30, 40]);
    expect(linearTicks(5.5)).toEqual([0, 2, 4, 6]);
    expect(linearTicks(696_800_000)).toEqual([0, 200_000_000, 400_000_000, 600_000_000, 800_000_000]);
    expect(linearTicks(0)).toEqual([0, 1]);
  });

  it('log ticks are decades around the data', () => {
    expect(logTicks(2.527, 999.935)).toEqual([1, 10, 100, 1000]);
    expect(logTicks(35_946, 62_358)).toEqual([10_000, 20_000, 50_000, 100_000]);
    expect(logTicks(5, 5)).toEqual([1, 2, 5, 10]);
    expect(logTicks(2, 90)).toEqual([1, 2, 5, 10, 20, 50, 100]);
  });
});

describe('number formats', () => {
  it('formats bit rates, changes and significant figures', () => {
    expect(formatBitrate(696_800_000)).toBe('696.8 Mbit/s');
    expect(formatBitrate(16_000)).toBe('16 kbit/s');
    expect(formatBitrate(999)).toBe('999 bit/s');
    expect(formatChange(0.156)).toBe('+15.6%');
    expect(formatChange(-0.0707)).toBe('-7.1%');
    expect(formatChange(0)).toBe('0%');
    expect(formatSignificant(0.015258789)).toBe('0.01526');
    expect(formatSignificant(6_968_000)).toBe('6,968,000');
  });
});
