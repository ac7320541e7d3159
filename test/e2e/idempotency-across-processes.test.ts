import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';
import { createAgentOver, restCall, serverProcessConfig, startServerProcess, type ServerProcess } from '../support/server-process.js';

const AGENT_NUMBER = '+15550100031';
const PERSON = '+15550100131';

interface Sent { messageId: string; status: string; providerMessageId: string | null; idempotentReplay: boolean }

/**
 * An idempotency key keeps its meaning outside the process that first saw it: a retry after a restart, or sent to
 * another server on the same database, returns the first result and sends nothing (the request fingerprint was
 * keyed by a per-process random secret, so such a retry answered IDEMPOTENCY_KEY_REUSED).
 */
describe('an idempotency key across server processes', { timeout: 240_000 }, () => {
  const sim = new TwilioSimulator({ ownedNumbers: [AGENT_NUMBER], callbackDelayMs: 5 });
  const running: ServerProcess[] = [];
  const telephony = () => ({ use: 'twilio', options: { accountSid: sim.accountSid, authToken: sim.authToken, baseUrl: sim.baseUrl, timeoutMs: 10_000 } });
  const start = async (config: string) => {
    const server = await startServerProcess(config);
    running.push(server);
    return server;
  };
  const send = (server: ServerProcess, token: string, key: string) =>
    restCall<Sent>(server.url, token, 'POST', '/messages', { channel: 'sms', to: PERSON, body: `Your table is booked (${key})`, idempotencyKey: key });

  beforeAll(() => sim.start());
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
    sim.reset();
  });
  afterAll(() => sim.stop());

  async function sendRestartRepeat(db: Record<string, unknown> | undefined): Promise<void> {
    const config = serverProcessConfig({ telephony: telephony(), ...(db ? { db } : {}) });
    const first = await start(config);
    const { token } = await createAgentOver(first.url, { name: 'Booker', phone: AGENT_NUMBER });
    const original = await send(first, token, 'booking-1');
    expect(original.status).toBe(201);
    expect(original.body).toMatchObject({ idempotentReplay: false, providerMessageId: expect.stringMatching(/^SM/) });
    await first.kill();
    running.splice(running.indexOf(first), 1);

    const restarted = await start(config);
    const repeat = await send(restarted, token, 'booking-1');
    expect(repeat.status).toBe(201);
    expect(repeat.body).toMatchObject({ messageId: original.body.messageId, providerMessageId: original.body.providerMessageId, idempotentReplay: true });
    expect(sim.messages).toHaveLength(1);
  }

  it('SQLite: a retry after a restart replays the first result and sends nothing', async () => {
    await sendRestartRepeat(undefined);
  });

  describe.skipIf(!POSTGRES_URL)('PostgreSQL (COMMS_TEST_POSTGRES_URL)', () => {
    let schemas: Awaited<ReturnType<typeof postgresSchemas>>;
    beforeAll(async () => {
      schemas = await postgresSchemas(POSTGRES_URL!);
    });
    afterAll(async () => schemas?.close());
    const postgres = () => ({ use: 'postgresql', options: { url: POSTGRES_URL!, schema: schemas.fresh(), poolMax: 4 } });

    it('a retry after a restart replays the first result and sends nothing', async () => {
      await sendRestartRepeat(postgres());
    });

    it('a retry sent to a second server process replays the first result and sends nothing', async () => {
      const config = serverProcessConfig({ telephony: telephony(), db: postgres() });
      // The first migrates; the second starts on the migrated schema.
      const one = await start(config);
      const two = await start(config);
      const { token } = await createAgentOver(one.url, { name: 'Booker', phone: AGENT_NUMBER });
      const original = await send(one, token, 'booking-2');
      expect(original.status).toBe(201);
      const repeat = await send(two, token, 'booking-2');
      expect(repeat.body).toMatchObject({ messageId: original.body.messageId, providerMessageId: original.body.providerMessageId, idempotentReplay: true });
      const other = await send(two, token, 'booking-3');
      expect(other.body).toMatchObject({ idempotentReplay: false });
      expect(sim.messages).toHaveLength(2);
    });
  });
});
