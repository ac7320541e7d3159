import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../core/context.js';
import { isDomainError } from '../../ports/errors.js';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const as = (agentId: string): Caller => ({ kind: 'agent', agentId });

/** Agent A attaching files by storage key: its own, agent B's, and none at all. */
const DATABASES = [['SQLite', false], ...(POSTGRES_URL ? [['PostgreSQL', true] as const] : [])] as const;

describe.each(DATABASES)('%s: email attachments by storage key are the sending agent\'s files only', (_name, postgres) => {
  let server: TestServer;
  let schemas: Awaited<ReturnType<typeof postgresSchemas>> | undefined;
  let a: string;
  let b: string;
  let bCallId: string;
  const run = (name: string, caller: Caller, input: Record<string, unknown>) => server.app.runner.run(name, caller, input) as Promise<Record<string, unknown>>;
  const attach = (agentId: string, storageKey: string) => run('comms_send_message', as(agentId), {
    channel: 'email', to: 'person@example.com', subject: 'File', text: 'Attached.', attachments: [{ filename: 'file.bin', storageKey }],
  });
  /** The error a send fails with, as the caller sees it (code, message, next step, details). */
  const refusal = async (agentId: string, storageKey: string) => {
    try {
      await attach(agentId, storageKey);
    } catch (err) {
      if (isDomainError(err)) return { code: err.code, message: err.message, nextStep: err.nextStep, details: err.details };
      throw err;
    }
    throw new Error(`attaching ${storageKey} as ${agentId} was not refused`);
  };

  beforeAll(async () => {
    schemas = postgres ? await postgresSchemas(POSTGRES_URL!) : undefined;
    server = await startTestServer({
      ...(schemas ? { db: { use: 'postgresql', options: { url: POSTGRES_URL!, schema: schemas.fresh() } } } : {}),
      extra: { email: { use: 'mock' }, tts: { use: 'mock' }, storage: { use: 'local' } },
    });
    a = (await server.createAgent({ name: 'A', phone: '+15550100147', email: 'a@example.com' })).agentId;
    b = (await server.createAgent({ name: 'B', phone: '+15550100148', email: 'b@example.com' })).agentId;
    bCallId = String((await run('comms_send_voice_message', as(b), { to: '+15550100149', text: 'Your parcel arrives today' })).callId);
  });
  afterAll(async () => {
    await server?.close();
    await schemas?.close();
  });

  it('stores a voice message\'s audio under its agent\'s folder, and that agent may attach it', async () => {
    const call = await server.app.ports.db.calls.findById(bCallId);
    expect(call?.audioKey).toMatch(new RegExp(`^agents/${b}/voice/${bCallId}\\.(wav|mp3)$`));
    expect(await attach(b, call!.audioKey!)).toMatchObject({ status: expect.any(String) });
  });

  it('another agent\'s key answers NOT_FOUND, exactly as a key of no file does', async () => {
    const bAudio = (await server.app.ports.db.calls.findById(bCallId))!.audioKey!;
    const foreign = await refusal(a, bAudio);
    expect(foreign.code).toBe('NOT_FOUND');
    // Same answer for a key that names nothing, in B's folder or A's own: nothing tells that B's file exists.
    expect(await refusal(a, bAudio.replace(bCallId, 'call_none'))).toEqual(foreign);
    expect(await refusal(a, `agents/${a}/voice/call_none.wav`)).toEqual(foreign);
    expect(await refusal(a, `agents/${a}/../${b}/voice/${bCallId}.wav`)).toEqual(foreign);
  });

  it('files stored before keys were owned (voice/<callId>.wav) stay readable by their owner only', async () => {
    const storage = server.app.ports.storage!.port;
    const legacyKey = `voice/${bCallId}.wav`;
    await storage.put(legacyKey, new Uint8Array([1, 2, 3]), 'audio/wav');
    const call = (await server.app.ports.db.calls.findById(bCallId))!;
    expect(await server.app.ports.db.calls.update({ ...call, audioKey: legacyKey }, call.version)).toBe(true);
    expect((await refusal(a, legacyKey)).code).toBe('NOT_FOUND');
    expect(await attach(b, legacyKey)).toMatchObject({ status: expect.any(String) });
    // A file of that old layout that no call of the agent holds is nobody's.
    await storage.put('voice/call_orphan.wav', new Uint8Array([4]), 'audio/wav');
    expect((await refusal(b, 'voice/call_orphan.wav')).code).toBe('NOT_FOUND');
  });
});
