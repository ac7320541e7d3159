import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChainReport } from '../../core/audit/audit-chain.js';
import { runCli } from '../support/cli.js';
import { FakeClock } from '../support/fake-clock.js';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';

/** The lockout (tested in http-lockout.test.ts) would refuse the burst's later guesses unread: off here, so all reach the audit counter. */
const NO_LOCKOUT = { security: { lockout: { enabled: false } } };

const ADMIN = { kind: 'admin' } as const;

interface Entry { seq: number; id: string; actorKind: string; actorId: string | null; action: string; agentId: string | null; targets: Record<string, unknown>; outcome: string; requestId: string | null }

/** Raw SQL on the server's database, as an intruder with database access would write it. */
type Tamper = (sql: string) => Promise<void>;

type Backend = { name: string; start(): Promise<{ server: TestServer; tamper: Tamper; cleanup(): Promise<void> }> };

const backends: Backend[] = [{
  name: 'SQLite',
  async start() {
    const server = await startTestServer({ clock: new FakeClock(new Date('2026-11-30T10:00:10Z')), extra: NO_LOCKOUT });
    const file = join(server.dir, 'comms.sqlite');
    const tamper: Tamper = async (sql) => {
      const db = new Database(file);
      try {
        db.exec(sql);
      } finally {
        db.close();
      }
    };
    return { server, tamper, cleanup: () => server.close() };
  },
}];
const postgresUrl = POSTGRES_URL;
if (postgresUrl) {
  backends.push({
    name: 'PostgreSQL',
    async start() {
      const schemas = await postgresSchemas(postgresUrl);
      const schema = schemas.fresh();
      const server = await startTestServer({
        clock: new FakeClock(new Date('2026-11-30T10:00:10Z')),
        db: { use: 'postgresql', options: { url: postgresUrl, schema } },
        extra: NO_LOCKOUT,
      });
      const tamper: Tamper = async (sql) => {
        await schemas.query(`SET search_path TO "${schema}"; ${sql}`);
      };
      return { server, tamper, cleanup: async () => { await server.close(); await schemas.close(); } };
    },
  });
}

describe.each(backends)('audit trail ($name)', (backend) => {
  let server: TestServer;
  let tamper: Tamper;
  let cleanup: () => Promise<void>;
  let agentId: string;
  const verify = async () => (await server.app.runner.run('comms_verify_audit_log', ADMIN, {})) as ChainReport;
  const list = async (input: Record<string, unknown> = {}) =>
    (await server.app.runner.run('comms_list_audit_log', ADMIN, input)) as { entries: Entry[]; nextCursor: string | null };

  beforeAll(async () => {
    ({ server, tamper, cleanup } = await backend.start());
    ({ agentId } = await server.createAgent({ name: 'Audited', phone: '+15550100140' }));
    const agent = { kind: 'agent', agentId } as const;
    await server.app.runner.run('comms_update_agent', ADMIN, { agentId, name: 'Audited too', phone: '+15550100141' });
    await server.app.runner.run('comms_rotate_agent_token', ADMIN, { agentId });
    await server.app.runner.run('comms_set_agent_limits', ADMIN, { agentId, overrides: {} });
    await server.app.runner.run('comms_add_whatsapp_sender', ADMIN, { address: '+15550100142' });
    // Fails inside its transaction: rolled back, and recorded with its code.
    await expect(server.app.runner.run('comms_add_whatsapp_sender', ADMIN, { address: '+15550100142' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await server.app.runner.run('comms_add_do_not_contact', ADMIN, { numbers: ['+15550100143'] });
    // A compliance refusal by the pre-send policy.
    await expect(server.app.runner.run('comms_send_message', agent, { channel: 'sms', to: '+15550100143', body: 'secret body 7f3a' }))
      .rejects.toMatchObject({ code: 'DO_NOT_CONTACT' });
    await server.app.runner.run('comms_send_message', agent, { channel: 'sms', to: '+15550100144', body: 'hello 9c1d' });
    await server.app.runner.run('comms_erase_contact', ADMIN, { contact: '+15550100144', confirm: '+15550100144' });
    // A burst of bad tokens from one address: one entry when it reaches the threshold (20), not one per token.
    for (let i = 0; i < 25; i++) {
      const res = await fetch(`${server.url}/api/v1/messages`, { headers: { authorization: `Bearer aoc_wrong_${i}` } });
      expect(res.status).toBe(401);
    }
  });
  afterAll(() => cleanup?.());

  it('records every admin action, the refusal, the erasure and the auth failure burst, ids and codes only', async () => {
    const { entries } = await list({ limit: 200 });
    const summary = entries.reverse().map((e) => [e.action, e.actorKind, e.outcome]);
    expect(summary).toEqual([
      ['agent.create', 'admin', 'ok'],
      ['agent.update', 'admin', 'ok'],
      ['agent.token.rotate', 'admin', 'ok'],
      ['agent.limits.set', 'admin', 'ok'],
      ['whatsapp-sender.add', 'admin', 'ok'],
      ['whatsapp-sender.add', 'admin', 'CONFLICT'],
      ['do-not-contact.add', 'admin', 'ok'],
      ['policy.refusal', 'agent', 'DO_NOT_CONTACT'],
      ['contact.erase', 'admin', 'ok'],
      ['auth.failure-burst', 'anonymous', 'UNAUTHORIZED'],
    ]);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    expect(entries.find((e) => e.action === 'policy.refusal')).toMatchObject({ agentId, actorId: agentId, targets: { kind: 'compliance', rule: 'do-not-contact', action: 'sms' } });
    expect(entries.find((e) => e.action === 'auth.failure-burst')?.targets).toMatchObject({ failures: 20, windowSeconds: 60 });
    // One sender row: the failed add rolled back with nothing half-written.
    expect((await server.app.ports.db.whatsappSenders.list()).length).toBe(1);
    const text = JSON.stringify(entries);
    for (const personal of ['5550100', 'secret body', 'hello 9c1d', '127.0.0.1', 'aoc_']) expect(text).not.toContain(personal);
  });

  it('filters by action, agent and time, with keyset pagination (also over REST)', async () => {
    expect((await list({ action: 'agent.token.rotate' })).entries.map((e) => e.agentId)).toEqual([agentId]);
    expect((await list({ agentId })).entries.map((e) => e.action)).toEqual(['policy.refusal', 'agent.limits.set', 'agent.token.rotate', 'agent.update', 'agent.create']);
    expect((await list({ until: '2026-11-30T10:00:00Z' })).entries).toEqual([]);
    const first = await list({ limit: 4 });
    const second = await list({ limit: 4, cursor: first.nextCursor! });
    const third = await list({ limit: 4, cursor: second.nextCursor! });
    expect([...first.entries, ...second.entries, ...third.entries].map((e) => e.seq)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(third.nextCursor).toBeNull();
    const res = await fetch(`${server.url}/api/v1/audit?action=agent.create&limit=5`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(((await res.json()) as { entries: Entry[] }).entries.map((e) => e.action)).toEqual(['agent.create']);
  });

  it('verifies the chain, and finds the first broken link after an edit, a deletion and a reordering', async () => {
    expect(await verify()).toMatchObject({ valid: true, checked: 10, head: { seq: 10 }, firstBreak: null });

    await tamper("UPDATE audit_log SET outcome = 'ok' WHERE seq = 6");
    expect(await verify()).toMatchObject({ valid: false, checked: 6, firstBreak: { seq: 6, problem: 'content-changed' } });
    await tamper("UPDATE audit_log SET outcome = 'CONFLICT' WHERE seq = 6");
    expect((await verify()).valid).toBe(true);

    // Swapping two entries' places (their seq): the first of them no longer follows the one before.
    await tamper('UPDATE audit_log SET seq = -3 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = -3');
    expect(await verify()).toMatchObject({ valid: false, firstBreak: { seq: 3, problem: 'link-broken' } });
    await tamper('UPDATE audit_log SET seq = -3 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = -3');
    expect((await verify()).valid).toBe(true);

    // An edit that recomputes nothing but the row's own hash still breaks the next link.
    await tamper("UPDATE audit_log SET hash = '" + 'f'.repeat(64) + "' WHERE seq = 2");
    expect(await verify()).toMatchObject({ valid: false, firstBreak: { seq: 2, problem: 'content-changed' } });

    await tamper('DELETE FROM audit_log WHERE seq = 2');
    expect(await verify()).toMatchObject({ valid: false, checked: 2, firstBreak: { seq: 3, problem: 'link-broken' } });
  });

  it('agentos-comms audit verify names the first broken entry and exits 1', async () => {
    const result = await runCli(['audit', 'verify', '--config', server.configFile]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/audit trail BROKEN at entry #3 \(aud_[^)]+\): it does not follow the entry before it/);
  });
});
