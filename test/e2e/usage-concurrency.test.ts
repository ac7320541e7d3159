import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockTelephony } from '../../adapters/mock/mock-telephony.js';
import { isDomainError } from '../../ports/errors.js';
import { startCliServer } from '../support/cli.js';
import { tempDir } from '../support/plugin-context.js';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';
import { ADMIN_TOKEN, startTestServer } from '../support/test-server.js';
import { usageConfig } from '../support/usage-config.js';

const ATTEMPTS = 64;
const CAP = 10;

/**
 * A rate cap and a spending cap of 10 sends each (0.01 per SMS). Daily windows, so that no window rolls
 * over during a run on the real clock (short of midnight UTC).
 */
const CAPS = [
  ['a daily action cap', { actions: { sms: { perDay: CAP } } }],
  ['a daily spending cap', { spend: { perDay: '0.10' } }],
] as const;

interface Tally { attempted: number; sent: number; refused: Record<string, number> }

async function sendConcurrently(db: { use: string; options: Record<string, unknown> } | undefined, limits: Record<string, unknown>): Promise<Tally & { stored: number; providerSent: number }> {
  const server = await startTestServer({ extra: usageConfig(limits), ...(db ? { db } : {}) });
  try {
    const { agentId } = await server.createAgent({ name: 'racer', phone: '+15550100099' });
    const outcomes = await Promise.allSettled(Array.from({ length: ATTEMPTS }, (_, i) =>
      server.app.runner.run('comms_send_message', { kind: 'agent', agentId }, { channel: 'sms', to: `+1555010${String(1000 + i)}`, body: `race ${i}` })));
    const tally: Tally = { attempted: ATTEMPTS, sent: 0, refused: {} };
    for (const o of outcomes) {
      if (o.status === 'fulfilled') tally.sent++;
      else {
        const code = isDomainError(o.reason) ? o.reason.code : String(o.reason);
        tally.refused[code] = (tally.refused[code] ?? 0) + 1;
      }
    }
    const stored = (await server.app.ports.db.messages.list({ agentId, direction: 'outbound', limit: 1000 })).length;
    return { ...tally, stored, providerSent: (server.app.ports.telephony!.port as MockTelephony).sent.length };
  } finally {
    await server.close();
  }
}

describe.each(CAPS)('%s under 64 concurrent sends', (_name, limits) => {
  const code = 'actions' in limits ? 'RATE_LIMITED' : 'SPENDING_CAP_REACHED';

  it('SQLite: exactly 10 are sent, stored and given to the provider; 54 are refused', async () => {
    const result = await sendConcurrently(undefined, limits);
    console.log(`concurrency sqlite ${_name}: ${JSON.stringify(result)}`);
    expect(result).toEqual({ attempted: 64, sent: 10, refused: { [code]: 54 }, stored: 10, providerSent: 10 });
  });

  describe.skipIf(!POSTGRES_URL)('PostgreSQL (COMMS_TEST_POSTGRES_URL)', () => {
    let schemas: Awaited<ReturnType<typeof postgresSchemas>>;
    beforeAll(async () => {
      schemas = await postgresSchemas(POSTGRES_URL!);
    });
    afterAll(async () => schemas?.close());

    it('one server: exactly 10 are sent, stored and given to the provider; 54 are refused', async () => {
      const result = await sendConcurrently({ use: 'postgresql', options: { url: POSTGRES_URL!, schema: schemas.fresh(), poolMax: 8 } }, limits);
      console.log(`concurrency postgresql ${_name}: ${JSON.stringify(result)}`);
      expect(result).toEqual({ attempted: 64, sent: 10, refused: { [code]: 54 }, stored: 10, providerSent: 10 });
    });
  });
});

describe.skipIf(!POSTGRES_URL)('three server processes on one PostgreSQL', () => {
  const children: ChildProcess[] = [];
  let schemas: Awaited<ReturnType<typeof postgresSchemas>>;

  beforeAll(async () => {
    schemas = await postgresSchemas(POSTGRES_URL!);
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((resolve) => (c.exitCode !== null ? resolve(null) : c.once('exit', resolve)))));
    await schemas?.close();
  });

  it.each(CAPS)('%s: 64 sends spread over 3 processes send exactly 10', async (_name, limits) => {
    const schema = schemas.fresh();
    const dir = tempDir('agentos-three-');
    const config = join(dir, 'config.yaml');
    writeFileSync(config, stringify({
      server: { host: '127.0.0.1', port: 0 }, dataDir: dir, log: { level: 'warn' }, auth: { adminToken: ADMIN_TOKEN },
      db: { use: 'postgresql', options: { url: POSTGRES_URL, schema, poolMax: 8 } }, telephony: { use: 'mock' }, ...usageConfig(limits),
      // What is counted is the limit's answer: on a loaded machine load shedding would answer some sends 503 instead.
      security: { loadShedding: { eventLoopDelayMs: 0 }, maxInFlight: 0 },
    }));
    // The first migrates; the others start on the migrated schema.
    const first = await startCliServer(['--config', config], {});
    const rest = await Promise.all([startCliServer(['--config', config], {}), startCliServer(['--config', config], {})]);
    const servers = [first, ...rest];
    children.push(...servers.map((s) => s.child));
    const created = await fetch(`${first.url}/api/v1/agents`, {
      method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'racer', phone: '+15550100099' }),
    });
    const { token } = (await created.json()) as { token: string };
    const answers = await Promise.all(Array.from({ length: ATTEMPTS }, async (_, i) => {
      const res = await fetch(`${servers[i % 3]!.url}/api/v1/messages`, {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'sms', to: `+1555010${String(1000 + i)}`, body: `race ${i}` }),
      });
      const body = (await res.json()) as { error?: { code: string } };
      return { status: res.status, code: body.error?.code ?? null };
    }));
    const sent = answers.filter((a) => a.status === 201).length;
    const refused = answers.filter((a) => a.status === 429);
    const [row] = await schemas.query<{ n: string }>(`select count(*) as n from "${schema}".messages where direction = 'outbound'`);
    console.log(`concurrency 3 processes postgresql ${_name}: attempted ${ATTEMPTS}, sent ${sent}, refused ${refused.length}, stored ${row?.n}`);
    expect({ sent, refused: refused.length, stored: Number(row?.n) }).toEqual({ sent: CAP, refused: ATTEMPTS - CAP, stored: CAP });
    expect(new Set(refused.map((r) => r.code))).toEqual(new Set(['actions' in limits ? 'RATE_LIMITED' : 'SPENDING_CAP_REACHED']));
    for (const s of servers) s.child.kill('SIGTERM');
  }, 120_000);
});
