import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveCallHandle } from '../../core/conversation/live-call-registry.js';
import { isDomainError } from '../../ports/errors.js';
import type { CallLogRecord } from '../../ports/records.js';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const HUMAN = '+15550100171';

/**
 * Two servers (two apps, each with its own LISTEN connection, as two processes have) on one PostgreSQL
 * schema: a live call whose socket A holds is ended or transferred through B. The conversation is a stand-in
 * in A's registry: what is under test is the request reaching the holder and the answer coming back.
 */
describe.skipIf(!POSTGRES_URL)('live-call control from any server on PostgreSQL', { timeout: 60_000 }, () => {
  let schemas: Awaited<ReturnType<typeof postgresSchemas>>;
  let a: TestServer;
  let b: TestServer;
  let agentId: string;

  beforeAll(async () => {
    schemas = await postgresSchemas(POSTGRES_URL!);
    const db = { use: 'postgresql', options: { url: POSTGRES_URL, schema: schemas.fresh() } };
    a = await startTestServer({ db });
    b = await startTestServer({ db });
    ({ agentId } = await a.createAgent({ name: 'Holder', phone: '+15550100051' }));
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await schemas?.close();
  });

  async function liveCallOnA(): Promise<{ call: CallLogRecord; actions: string[] }> {
    const now = new Date();
    const call: CallLogRecord = {
      id: a.app.ports.ids.next('call'), agentId, direction: 'inbound', from: '+15550100172', to: '+15550100051', status: 'in-progress',
      history: [], provider: 'mock', providerCallId: `CA-${now.getTime()}`, audioUrl: null, audioKey: null, startedAt: now, answeredAt: now, endedAt: null,
      durationSeconds: null, priceMicros: null, currency: null, errorCode: null, errorMessage: null, metadata: { kind: 'conversation' },
      createdAt: now, updatedAt: now, version: 1,
    };
    await a.app.ports.db.calls.insert(call);
    const actions: string[] = [];
    const handle: LiveCallHandle = { transfer: (to) => actions.push(`transfer ${to}`), hangUp: () => actions.push('hang-up') };
    a.app.ports.liveCalls.add(call.id, handle);
    return { call, actions };
  }
  const runOnB = (tool: string, input: Record<string, unknown>) => b.app.runner.run(tool, { kind: 'agent', agentId }, input);

  it('ends through B a call whose conversation A holds, once, and answers after A acted', async () => {
    const { call, actions } = await liveCallOnA();
    const view = (await runOnB('comms_end_call', { callId: call.id })) as { callId: string };
    expect(view.callId).toBe(call.id);
    expect(actions).toEqual(['hang-up']);
  });

  it('transfers through B a call whose conversation A holds', async () => {
    const { call, actions } = await liveCallOnA();
    await runOnB('comms_transfer_call', { callId: call.id, to: HUMAN });
    expect(actions).toEqual([`transfer ${HUMAN}`]);
  });

  it('refuses a transfer with CONFLICT when no server holds the call, after waiting for an answer', async () => {
    const { call, actions } = await liveCallOnA();
    a.app.ports.liveCalls.remove(call.id, a.app.ports.liveCalls.get(call.id)!);
    const error = await runOnB('comms_transfer_call', { callId: call.id, to: HUMAN }).catch((err: unknown) => err);
    expect(isDomainError(error) && error.code).toBe('CONFLICT');
    expect((error as Error).message).toBe('The call has no live conversation on any server.');
    expect(actions).toEqual([]);
  });
});
