/**
 * Contract of the stored MCP sessions and their resource subscriptions (ports/mcp-sessions.ts), part of the `db`
 * port's suite: a subscription belongs to a stored session, is kept once per URI, and goes with its session
 * (ended, or swept as idle). Same lifecycle as `describeDatabaseContract`, which runs it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { McpSessionRecord } from '../ports/mcp-sessions.js';
import type { Database } from '../ports/repositories.js';

export interface McpSessionsContractOptions {
  factory: () => Promise<Database>;
  teardown?: (db: Database) => Promise<void>;
}

const T0 = Date.parse('2026-12-03T15:00:00.000Z');
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

export function describeMcpSessionsContract(options: McpSessionsContractOptions): void {
  describe('MCP sessions and their resource subscriptions', () => {
    let db: Database;
    let counter = 0;

    beforeEach(async () => {
      db = await options.factory();
      await db.migrate();
    });

    afterEach(async () => {
      await db.close();
      await options.teardown?.(db);
    });

    const storedSession = async (lastSeenAt = at(0)): Promise<McpSessionRecord> => {
      const record: McpSessionRecord = {
        id: `mcp-session-${String(++counter).padStart(6, '0')}`, owner: 'agent:agt_subscriber', protocolVersion: '2025-11-25',
        clientCapabilities: {}, clientInfo: { name: 'contract', version: '1' }, createdAt: at(0), lastSeenAt,
      };
      await db.mcpSessions.insert(record);
      return record;
    };

    it('keeps a session\'s subscriptions once per URI, in URI order, apart from other sessions\'', async () => {
      const session = await storedSession();
      const other = await storedSession();
      await db.mcpSessions.subscribe(session.id, { uri: 'comms://threads/ctc_b', agentId: 'agt_a' }, at(1));
      await db.mcpSessions.subscribe(session.id, { uri: 'comms://inbox', agentId: 'agt_a' }, at(2));
      await db.mcpSessions.subscribe(session.id, { uri: 'comms://inbox', agentId: 'agt_a' }, at(3));
      await db.mcpSessions.subscribe(other.id, { uri: 'comms://agents/agt_c/inbox', agentId: 'agt_c' }, at(4));
      expect(await db.mcpSessions.subscriptionsOf(session.id)).toEqual([
        { uri: 'comms://inbox', agentId: 'agt_a' }, { uri: 'comms://threads/ctc_b', agentId: 'agt_a' },
      ]);
      expect(await db.mcpSessions.subscriptionsOf(other.id)).toEqual([{ uri: 'comms://agents/agt_c/inbox', agentId: 'agt_c' }]);
      expect(await db.mcpSessions.subscriptionsOf('no-such-session')).toEqual([]);
    });

    it('removes one subscription, saying whether it was there', async () => {
      const session = await storedSession();
      await db.mcpSessions.subscribe(session.id, { uri: 'comms://inbox', agentId: 'agt_a' }, at(1));
      await db.mcpSessions.subscribe(session.id, { uri: 'comms://threads/ctc_b', agentId: 'agt_a' }, at(1));
      expect(await db.mcpSessions.unsubscribe(session.id, 'comms://inbox')).toBe(true);
      expect(await db.mcpSessions.unsubscribe(session.id, 'comms://inbox')).toBe(false);
      expect(await db.mcpSessions.subscriptionsOf(session.id)).toEqual([{ uri: 'comms://threads/ctc_b', agentId: 'agt_a' }]);
    });

    it('gives a session that is not stored no subscription, without an error', async () => {
      await expect(db.mcpSessions.subscribe('never-stored', { uri: 'comms://inbox', agentId: 'agt_a' }, at(1))).resolves.toBeUndefined();
      expect(await db.mcpSessions.subscriptionsOf('never-stored')).toEqual([]);
    });

    it('removes the subscriptions with their session, ended or swept as idle', async () => {
      const ended = await storedSession();
      const idle = await storedSession(at(0));
      const fresh = await storedSession(at(100));
      for (const session of [ended, idle, fresh]) await db.mcpSessions.subscribe(session.id, { uri: 'comms://inbox', agentId: 'agt_a' }, at(1));
      expect(await db.mcpSessions.remove(ended.id)).toBe(true);
      expect(await db.mcpSessions.removeIdleBefore(at(50))).toBe(1);
      expect(await db.mcpSessions.subscriptionsOf(ended.id)).toEqual([]);
      expect(await db.mcpSessions.subscriptionsOf(idle.id)).toEqual([]);
      expect(await db.mcpSessions.subscriptionsOf(fresh.id)).toEqual([{ uri: 'comms://inbox', agentId: 'agt_a' }]);
      // A session id used again later starts with none.
      await db.mcpSessions.insert({ ...ended, createdAt: at(200), lastSeenAt: at(200) });
      expect(await db.mcpSessions.subscriptionsOf(ended.id)).toEqual([]);
    });
  });
}
