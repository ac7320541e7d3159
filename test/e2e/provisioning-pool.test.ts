import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import { onSqliteAndPostgres } from '../support/each-database.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const FAR_FUTURE = new Date('2999-01-01T00:00:00Z');

onSqliteAndPostgres((label, db) => {
  describe(`the spare-number pool and its background job (${label})`, () => {
    const twilio = new TwilioSimulator({ callbackDelayMs: 1 });
    let server: TestServer;

    beforeAll(async () => {
      await twilio.start();
      server = await startTestServer({
        db: db(),
        telephony: { use: 'twilio', options: { accountSid: twilio.accountSid, authToken: twilio.authToken, baseUrl: twilio.baseUrl, timeoutMs: 3000 } },
        // Settling waits an hour (and the job runs every 5 minutes), so only the run at start-up and the test's own runs happen.
        extra: { provisioning: { pool: { size: 5, sizes: { 'twilio:US': 2 }, countries: ['US'] }, settleAfterSeconds: 3600 } },
      });
      // The queue runs the job once at start: wait for that run to fill the pool (running it here as well
      // would race it, as two refills at once would).
      const deadline = Date.now() + 20_000;
      const running = async () => {
        const job = (await server.app.ports.jobs.status()).jobs.find((j) => j.name === 'provisioning.pool-refill');
        return !job || job.active + job.queued > 0 || [...twilio.phoneNumbers.held.values()].some((n) => n.smsUrl === '') || twilio.phoneNumbers.held.size < 2;
      };
      while ((await running()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    });
    afterAll(async () => {
      await server?.close();
      await twilio.stop();
    });

    it('keeps the configured number of spares per provider and country, pointed at the shared webhooks', async () => {
      expect(await server.app.ports.db.provisioning.countSpares('twilio', 'US')).toBe(2);
      expect(twilio.phoneNumbers.held.size).toBe(2);
      for (const number of twilio.phoneNumbers.held.values()) expect(number.smsUrl).toBe(`${server.url}/webhooks/sms`);
      await server.app.runJob('provisioning.pool-refill');
      expect(twilio.phoneNumbers.purchases).toHaveLength(2);
    });

    it('settles a number a dead run left half-bought: recorded when the provider sold it, forgotten when not', async () => {
      const repository = server.app.ports.db.provisioning;
      const longAgo = new Date(Date.now() - 2 * 3600_000);
      const sold = [...twilio.phoneNumbers.held.values()][0]!;
      // A spare the provider holds, but whose record a crash left at `buying`; and an intent that never reached the provider.
      const spare = (await repository.listStale('owned', FAR_FUTURE, 10)).find((n) => n.phoneNumber === sold.phoneNumber)!;
      await repository.updateNumber(spare.id, { state: 'buying', providerRef: null, updatedAt: longAgo });
      await repository.insertNumber({
        id: 'num_never_bought', provider: 'twilio', country: 'US', phoneNumber: '+15550189999', providerRef: null, state: 'buying',
        agentId: null, operationId: null, createdAt: longAgo, updatedAt: longAgo,
      });
      await server.app.runJob('provisioning.pool-refill');
      expect(await repository.findNumber(spare.id)).toMatchObject({ state: 'owned', providerRef: sold.sid });
      expect(await repository.findNumber('num_never_bought')).toBeNull();
      expect(twilio.phoneNumbers.purchases).toHaveLength(2);
    });
  });
});
