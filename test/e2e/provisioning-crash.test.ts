import Database from 'better-sqlite3';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import { onSqliteAndPostgres, type TestDbSection } from '../support/each-database.js';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';
import { restCall, serverProcessConfig, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { ADMIN_TOKEN } from '../support/test-server.js';

/** Tries of a retry answered IDEMPOTENCY_IN_PROGRESS (the dead run's 10 s lease), 0.5 s apart. */
const RETRY_LIMIT = 120;

interface Provisioned { number: { numberId: string; phoneNumber: string; source: string } | null; resumed: boolean; error?: { code: string } }
interface NumberRow { phone_number: string; state: string }

/**
 * A real server process SIGKILLed after Twilio bought a number and before the server heard of it: the
 * simulator commits the purchase, then holds its answer while the test kills the process. After a restart,
 * resuming (a retry with the same idempotencyKey, or the background sweep alone) must end with the numbers
 * bought at the simulator equal to the numbers recorded, each `owned`: none leaked, none bought twice.
 */
onSqliteAndPostgres((label, db) => {
  describe(`a crash between buying a number and recording it (${label})`, { timeout: 180_000 }, () => {
    const sim = new TwilioSimulator({ callbackDelayMs: 1 });
    const running: ServerProcess[] = [];
    let pg: Awaited<ReturnType<typeof postgresSchemas>> | null = null;

    beforeAll(async () => {
      await sim.start();
      if (db() && POSTGRES_URL) pg = await postgresSchemas(POSTGRES_URL);
    });
    afterEach(async () => {
      await Promise.all(running.splice(0).map((s) => s.stop()));
    });
    afterAll(async () => {
      await pg?.close();
      await sim.stop();
    });

    /** Every number the database records, in any state, read from outside the server. */
    async function recorded(configFile: string, section: TestDbSection): Promise<NumberRow[]> {
      const sql = 'SELECT phone_number, state FROM phone_numbers ORDER BY phone_number';
      if (section) return pg!.query<NumberRow>(sql.replace('FROM phone_numbers', `FROM "${String(section.options.schema)}".phone_numbers`));
      const file = new Database(join(dirname(configFile), 'comms.sqlite'), { readonly: true });
      try {
        return file.prepare(sql).all() as NumberRow[];
      } finally {
        file.close();
      }
    }

    /** What the simulator's account holds, against what the database records: equal, and all owned. */
    async function expectNothingLeaked(configFile: string, section: TestDbSection): Promise<void> {
      const rows = await recorded(configFile, section);
      expect(rows.filter((r) => r.state !== 'owned')).toEqual([]);
      expect(rows.map((r) => r.phone_number)).toEqual([...sim.phoneNumbers.held.values()].map((n) => n.phoneNumber).sort());
      expect(sim.phoneNumbers.purchases.length).toBe(sim.phoneNumbers.held.size);
    }

    /** Starts a server, creates an agent, and SIGKILLs the server the moment the simulator has sold it a number. */
    async function crashMidBuy(provisioning: Record<string, unknown>): Promise<{ configFile: string; section: TestDbSection; agentId: string; idempotencyKey: string; bought: string }> {
      sim.reset();
      for (const sid of [...sim.phoneNumbers.held.keys()]) sim.phoneNumbers.held.delete(sid);
      sim.phoneNumbers.purchases.length = 0;
      // A database of its own per crash (SQLite: the config's folder; PostgreSQL: a fresh schema).
      const section: TestDbSection = db() ? { use: 'postgresql', options: { url: POSTGRES_URL!, schema: pg!.fresh() } } : undefined;
      const configFile = serverProcessConfig({
        telephony: { use: 'twilio', options: { accountSid: sim.accountSid, authToken: sim.authToken, baseUrl: sim.baseUrl, timeoutMs: 20_000 } },
        provisioning,
        ...(section ? { db: section } : {}),
      });
      const first = await startServerProcess(configFile);
      running.push(first);
      const agent = await restCall<{ agentId: string }>(first.url, ADMIN_TOKEN, 'POST', '/agents', { name: 'Crash mid-buy' });
      expect(agent.status).toBe(201);
      const idempotencyKey = `crash-${label}-${Date.now()}`;
      // The purchase is committed at the simulator, and its answer held back while the process is killed.
      sim.phoneNumbers.loseNextPurchaseAnswer('hang');
      const killed = sim.phoneNumbers.nextPurchase().then(async (number) => {
        await first.kill();
        running.splice(running.indexOf(first), 1);
        return number.phoneNumber;
      });
      const call = restCall(first.url, ADMIN_TOKEN, 'POST', `/agents/${agent.body.agentId}/provision`, { idempotencyKey }).catch(() => null);
      const bought = await killed;
      expect(await call).toBeNull();
      expect(sim.phoneNumbers.purchases.map((n) => n.phoneNumber)).toEqual([bought]);
      // The dead server recorded its intent before buying: one `buying` row, the number it bought.
      expect(await recorded(configFile, section)).toEqual([{ phone_number: bought, state: 'buying' }]);
      return { configFile, section, agentId: agent.body.agentId, idempotencyKey, bought };
    }

    it('a retry with the same idempotencyKey after the restart settles the bought number: one bought, one recorded', async () => {
      // The sweep waits an hour here: only the retry can settle the number.
      const crash = await crashMidBuy({ leaseSeconds: 10, settleAfterSeconds: 3600 });
      const second = await startServerProcess(crash.configFile);
      running.push(second);
      let answer: { status: number; body: Provisioned } | null = null;
      for (let attempt = 1; attempt <= RETRY_LIMIT; attempt++) {
        answer = await restCall<Provisioned>(second.url, ADMIN_TOKEN, 'POST', `/agents/${crash.agentId}/provision`, { idempotencyKey: crash.idempotencyKey });
        if (answer.body.error?.code !== 'IDEMPOTENCY_IN_PROGRESS') break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(answer).toMatchObject({ status: 200, body: { resumed: true, number: { phoneNumber: crash.bought, source: 'bought' } } });
      expect(sim.phoneNumbers.purchases).toHaveLength(1);
      await expectNothingLeaked(crash.configFile, crash.section);
      // The resumed run went on to point its webhooks at the agent.
      expect(sim.phoneNumbers.byNumber(crash.bought)?.smsUrl).toMatch(new RegExp(`/webhooks/${crash.agentId}/sms$`));
    });

    it('the background sweep alone settles it after the restart, and a later retry buys nothing more', async () => {
      const crash = await crashMidBuy({ leaseSeconds: 10, settleAfterSeconds: 10 });
      const second = await startServerProcess(crash.configFile);
      running.push(second);
      // Nobody retries: the pool job (every 10 s here) looks the number up at Twilio and records it.
      for (let i = 0; i < 120 && (await recorded(crash.configFile, crash.section)).some((r) => r.state === 'buying'); i++) await new Promise((r) => setTimeout(r, 500));
      await expectNothingLeaked(crash.configFile, crash.section);
      let answer: { status: number; body: Provisioned } | null = null;
      for (let attempt = 1; attempt <= RETRY_LIMIT; attempt++) {
        answer = await restCall<Provisioned>(second.url, ADMIN_TOKEN, 'POST', `/agents/${crash.agentId}/provision`, { idempotencyKey: crash.idempotencyKey });
        if (answer.body.error?.code !== 'IDEMPOTENCY_IN_PROGRESS') break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(answer).toMatchObject({ status: 200, body: { number: { phoneNumber: crash.bought } } });
      expect(sim.phoneNumbers.purchases).toHaveLength(1);
      await expectNothingLeaked(crash.configFile, crash.section);
    });
  });
});
