import { describe, expect, it } from 'vitest';
import type { CorePorts } from '../../core/context.js';
import { agentLimits, callerByTokenHash, webhookAgentById } from '../../core/agents/agent-cache.js';
import type { AgentChangeFeed } from '../../ports/agent-changes.js';
import type { AgentRecord } from '../../ports/records.js';
import type { AgentLimitsRecord } from '../../ports/usage.js';
import { FakeClock } from '../support/fake-clock.js';

const agent = (tokenHash: string, status: AgentRecord['status'] = 'active'): AgentRecord => ({
  id: 'agt_1', name: 'one', tokenHash, callbackUrl: null, callbackSecret: 'whsec', status, voice: {},
  createdAt: new Date(0), updatedAt: new Date(0),
});
const limits = (tier: string): AgentLimitsRecord => ({ agentId: 'agt_1', tier, overrides: {}, updatedAt: new Date(0) });

/** A database of one agent whose token, status and tier the test changes, counting reads; a feed the test drives. */
function setup(maxAgeMs = 30_000) {
  const clock = new FakeClock(new Date('2026-12-01T10:00:00Z'));
  const state = { tokenHash: 'hash-1', status: 'active' as AgentRecord['status'], tier: 'gold', fail: false };
  const reads: string[] = [];
  const localListeners = new Set<() => void>();
  const feedListeners = new Set<() => void>();
  const read = <T>(what: string, value: () => T): Promise<T> => {
    reads.push(what);
    return state.fail ? Promise.reject(new Error('database down')) : Promise.resolve(value());
  };
  const db = {
    agents: {
      findByTokenHash: (hash: string) => read('token', () => (hash === state.tokenHash ? { agent: agent(hash, state.status), channels: [] } : null)),
      findById: (id: string) => read('agent', () => (id === 'agt_1' ? agent(state.tokenHash, state.status) : null)),
    },
    usage: { getLimits: () => read('limits', () => limits(state.tier)) },
    onAgentsChanged: (listener: () => void) => { localListeners.add(listener); return () => localListeners.delete(listener); },
  };
  const feed = {
    heard: true as boolean,
    maxAgeMs,
    subscribe: (listener: () => void) => { feedListeners.add(listener); return () => feedListeners.delete(listener); },
  } satisfies AgentChangeFeed;
  const ports = { db, clock, agentChanges: feed } as unknown as CorePorts;
  return {
    ports, clock, state, reads, feed,
    /** A write through this process's Database committed. */
    changedHere: () => localListeners.forEach((l) => l()),
    /** Another process's write was heard. */
    changedElsewhere: () => feedListeners.forEach((l) => l()),
  };
}

describe('agent cache (callers by token, webhook agents, limits)', () => {
  it('reads a token\'s caller once for all the requests that ask together, and serves it until it is old', async () => {
    const { ports, clock, reads } = setup(30_000);
    const together = await Promise.all(Array.from({ length: 64 }, () => callerByTokenHash(ports, 'hash-1')));
    expect(together.every((r) => r?.agent.id === 'agt_1')).toBe(true);
    expect(reads).toEqual(['token']);
    clock.advance(29_999);
    await callerByTokenHash(ports, 'hash-1');
    expect(reads).toEqual(['token']);
    clock.advance(1);
    await callerByTokenHash(ports, 'hash-1');
    expect(reads).toEqual(['token', 'token']);
  });

  it('drops everything at once when this process changed an agent: a rotated token stops matching, a disabled agent shows disabled', async () => {
    const { ports, state, reads, changedHere } = setup();
    await callerByTokenHash(ports, 'hash-1');
    await webhookAgentById(ports, 'agt_1');
    expect((await agentLimits(ports, 'agt_1'))?.tier).toBe('gold');
    state.tokenHash = 'hash-2';
    state.tier = 'silver';
    // Before the change is told, the cache serves what it read (this is what the signal is for).
    expect(await callerByTokenHash(ports, 'hash-1')).not.toBeNull();
    changedHere();
    expect(await callerByTokenHash(ports, 'hash-1')).toBeNull();
    expect((await agentLimits(ports, 'agt_1'))?.tier).toBe('silver');
    expect(reads).toEqual(['token', 'agent', 'limits', 'token', 'limits']);
    state.status = 'disabled';
    changedHere();
    expect((await callerByTokenHash(ports, 'hash-2'))?.agent.status).toBe('disabled');
    expect((await webhookAgentById(ports, 'agt_1'))?.status).toBe('disabled');
  });

  it('drops everything when another process\'s change is heard', async () => {
    const { ports, state, changedElsewhere } = setup();
    await callerByTokenHash(ports, 'hash-1');
    state.status = 'disabled';
    changedElsewhere();
    expect((await callerByTokenHash(ports, 'hash-1'))?.agent.status).toBe('disabled');
  });

  it('serves nothing from the cache while other processes\' changes cannot be heard', async () => {
    const { ports, reads, feed } = setup();
    await callerByTokenHash(ports, 'hash-1');
    feed.heard = false;
    await callerByTokenHash(ports, 'hash-1');
    await callerByTokenHash(ports, 'hash-1');
    expect(reads).toEqual(['token', 'token', 'token']);
  });

  it('keeps neither an unknown token nor a failed read (the next request reads again)', async () => {
    const { ports, state, reads } = setup();
    expect(await callerByTokenHash(ports, 'hash-unknown')).toBeNull();
    expect(await callerByTokenHash(ports, 'hash-unknown')).toBeNull();
    expect(reads).toEqual(['token', 'token']);
    state.fail = true;
    await expect(callerByTokenHash(ports, 'hash-1')).rejects.toThrow('database down');
    state.fail = false;
    expect((await callerByTokenHash(ports, 'hash-1'))?.agent.id).toBe('agt_1');
    expect(reads).toEqual(['token', 'token', 'token', 'token']);
  });
});
