/** The model reproduces the talk's table: bits per second, 2^20 "Mbps" and SI Mbps, at every client count. */
import { describe, expect, it } from 'vitest';
import { bandwidth, modelTable, TALK_MODEL } from '../../../src/model/bandwidth-model.js';
import { TALK_TABLE } from '../../../src/model/talk-table.js';
import { formatSignificant } from '../../../src/report/format.js';

/** Rounds as the published figure is written: to as many decimals as it shows. */
function asPublished(value: number, published: number): number {
  const decimals = (String(published).split('.')[1] ?? '').length;
  return Number(value.toFixed(decimals));
}

describe('the talk model (defaults)', () => {
  const table = modelTable();

  it('uses the talk assumptions', () => {
    expect(table.options).toEqual({ clients: [1000, 10000, 100000], rate: 1, headerBytes: 871, payloadBytes: 0, framing: 'draft' });
    expect(table.polling_bytes_per_update).toBe(871);
    expect(table.websocket_bytes_per_update).toBe(2);
  });

  it('gives the exact bits per second', () => {
    expect(table.rows.map((row) => [row.clients, row.polling.bits_per_s, row.websocket.bits_per_s])).toEqual([
      [1_000, 6_968_000, 16_000],
      [10_000, 69_680_000, 160_000],
      [100_000, 696_800_000, 1_600_000],
    ]);
  });

  it('gives the SI Mbps: 6.968 / 69.68 / 696.8 vs 0.016 / 0.16 / 1.6', () => {
    expect(table.rows.map((row) => [row.polling.mbps_si, row.websocket.mbps_si])).toEqual([
      [6.968, 0.016],
      [69.68, 0.16],
      [696.8, 1.6],
    ]);
  });

  it('gives the 2^20 Mbps the talk printed: 6.6 / 66 / 665 vs 0.015 / 0.153 / 1.526', () => {
    expect(TALK_TABLE.map((row) => [row.clients, row.polling_mbps, row.websocket_mbps])).toEqual([
      [1_000, 6.6, 0.015],
      [10_000, 66, 0.153],
      [100_000, 665, 1.526],
    ]);
    table.rows.forEach((row, index) => {
      const published = TALK_TABLE[index]!;
      expect(row.talk).toEqual({ polling_mbps: published.polling_mbps, websocket_mbps: published.websocket_mbps });
      expect(asPublished(row.polling.mbps_binary, published.polling_mbps)).toBe(published.polling_mbps);
      expect(asPublished(row.websocket.mbps_binary, published.websocket_mbps)).toBe(published.websocket_mbps);
    });
  });

  it('prints 2^20 Mbps to four significant figures', () => {
    expect(table.rows.map((row) => [formatSignificant(row.polling.mbps_binary), formatSignificant(row.websocket.mbps_binary)])).toEqual([
      ['6.645', '0.01526'],
      ['66.45', '0.1526'],
      ['664.5', '1.526'],
    ]);
    expect(table.rows.map((row) => [formatSignificant(row.polling.mbps_si), formatSignificant(row.websocket.mbps_si)])).toEqual([
      ['6.968', '0.016'],
      ['69.68', '0.16'],
      ['696.8', '1.6'],
    ]);
  });

  it('says polling costs 435.5 times more', () => {
    for (const row of table.rows) expect(row.ratio).toBe(435.5);
  });

  it('does not freeze the defaults into the result', () => {
    table.options.clients.push(5);
    expect(TALK_MODEL.clients).toEqual([1000, 10000, 100000]);
  });
});

describe('model options', () => {
  it('scales with the rate', () => {
    const row = modelTable({ clients: [1000], rate: 4 }).rows[0]!;
    expect([row.polling.bits_per_s, row.websocket.bits_per_s]).toEqual([27_872_000, 64_000]);
  });

  it('adds the payload to both sides', () => {
    const table = modelTable({ clients: [100_000], payloadBytes: 100 });
    expect([table.polling_bytes_per_update, table.websocket_bytes_per_update]).toEqual([971, 102]);
    expect(table.rows[0]!.talk).toBeUndefined();
  });

  it('uses the RFC 6455 header for the payload size', () => {
    expect(modelTable({ framing: 'rfc6455', payloadBytes: 125 }).websocket_bytes_per_update).toBe(127);
    expect(modelTable({ framing: 'rfc6455', payloadBytes: 126 }).websocket_bytes_per_update).toBe(130);
    expect(modelTable({ framing: 'rfc6455', payloadBytes: 65_536 }).websocket_bytes_per_update).toBe(65_546);
    // With no payload, RFC 6455 and the draft cost the same 2 bytes, so the talk's figures still apply.
    expect(modelTable({ framing: 'rfc6455' }).rows[2]!.talk).toEqual({ polling_mbps: 665, websocket_mbps: 1.526 });
  });

  it('uses other header sizes', () => {
    const table = modelTable({ clients: [10_000], headerBytes: 200 });
    expect(table.rows[0]!.polling).toEqual(bandwidth(200, 10_000, 1));
    expect(table.rows[0]!.polling.bits_per_s).toBe(16_000_000);
    expect(table.rows[0]!.talk).toBeUndefined();
  });

  it('refuses impossible options', () => {
    expect(() => modelTable({ clients: [] })).toThrow(/at least one client count/);
    expect(() => modelTable({ clients: [0] })).toThrow(/client counts/);
    expect(() => modelTable({ rate: 0 })).toThrow(/rate/);
    expect(() => modelTable({ headerBytes: -1 })).toThrow(/headerBytes/);
  });
});
