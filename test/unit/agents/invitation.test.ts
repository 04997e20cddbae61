/** What an idle agent accepts from the invitation list: a run's invitation, nothing else. */
import { describe, expect, it } from 'vitest';
import { parseInvitation } from '../../../src/agents/agent.js';

describe('parseInvitation', () => {
  it('reads what a run writes', () => {
    expect(parseInvitation('{"run":"r1","timeoutMs":5000,"heartbeatMs":1000}')).toEqual({ run: 'r1', timeoutMs: 5000, heartbeatMs: 1000 });
  });

  it.each([
    'not json',
    '{}',
    '{"run":1,"timeoutMs":5000,"heartbeatMs":1000}',
    '{"run":"r1","timeoutMs":0,"heartbeatMs":1000}',
    '{"run":"r1","timeoutMs":5000,"heartbeatMs":"1000"}',
    'null',
  ])('refuses %s', (text) => {
    expect(parseInvitation(text)).toBeUndefined();
  });
});
