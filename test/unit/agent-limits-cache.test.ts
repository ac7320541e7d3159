import { describe, expect, it } from 'vitest';
import type { CorePorts } from '../../core/context.js';
import { agentLimits, forgetAgentLimits } from '../../core/usage/agent-limits-cache.js';
import type { AgentLimitsRecord } from '../../ports/usage.js';
import { FakeClock } from '../support/fake-clock.js';

function portsReading(read: (agentId: string) => Promise<AgentLimitsRecord | null>): { ports: CorePorts; clock: FakeClock; reads: string[] } {
  const clock = new FakeClock(new Date('2026-12-01T10:00:00Z'));
  const reads: string[] = [];
  const db = { usage: { getLimits: (agentId: string) => { reads.push(agentId); return read(agentId); } } };
  return { ports: { db, clock } as unknown as CorePorts, clock, reads };
}

const record = (agentId: string): AgentLimitsRecord => ({ agentId, tier: 'gold', overrides: {}, updatedAt: new Date(0) });

describe('per-agent limits cache', () => {
  it('reads an agent\'s limits once for all the sends that ask together, again after a second or when told', async () => {
    const { ports, clock, reads } = portsReading(async (agentId) => record(agentId));
    const together = await Promise.all(Array.from({ length: 64 }, () => agentLimits(ports, 'agt_1')));
    expect(together.every((r) => r?.tier === 'gold')).toBe(true);
    expect(reads).toEqual(['agt_1']);
    clock.advance(999);
    await agentLimits(ports, 'agt_1');
    expect(reads).toEqual(['agt_1']);
    clock.advance(1);
    await Promise.all([agentLimits(ports, 'agt_1'), agentLimits(ports, 'agt_1')]);
    expect(reads).toEqual(['agt_1', 'agt_1']);
    forgetAgentLimits(ports, 'agt_1');
    await agentLimits(ports, 'agt_1');
    expect(reads).toHaveLength(3);
  });

  it('does not keep a failed read', async () => {
    let fail = true;
    const { ports, reads } = portsReading(async (agentId) => {
      if (fail) throw new Error('database down');
      return record(agentId);
    });
    await expect(agentLimits(ports, 'agt_1')).rejects.toThrow('database down');
    fail = false;
    expect((await agentLimits(ports, 'agt_1'))?.tier).toBe('gold');
    expect(reads).toHaveLength(2);
  });
});
