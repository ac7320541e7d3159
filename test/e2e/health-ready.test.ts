import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const dbs: Array<[string, string | null]> = [['SQLite', null], ...(POSTGRES_URL ? [['PostgreSQL', POSTGRES_URL] as [string, string]] : [])];

describe.each(dbs)('/health/ready checks what it claims (%s)', (_name, url) => {
  let server: TestServer;
  let schemas: Awaited<ReturnType<typeof postgresSchemas>> | undefined;
  beforeAll(async () => {
    schemas = url ? await postgresSchemas(url) : undefined;
    const db = url ? { use: 'postgresql', options: { url, schema: schemas!.fresh(), poolMax: 2 } } : undefined;
    server = await startTestServer({ ...(db ? { db } : {}), extra: { storage: { use: 'local', options: { dir: 'files' } } } });
  });
  afterAll(async () => {
    await server?.close();
    await schemas?.close();
  });

  const ready = async () => {
    const response = await fetch(`${server.url}/health/ready`);
    return { status: response.status, body: (await response.json()) as { status: string; failed?: string[]; checks: Record<string, string> } };
  };

  it('is ready after a database round trip and the adapters\' own probes', async () => {
    expect(await ready()).toEqual({
      status: 200,
      body: { status: 'ready', checks: expect.objectContaining({ db: `ok (${url ? 'postgresql' : 'sqlite'})`, storage: 'ok (local)', telephony: 'ok (mock)', email: 'not configured' }) },
    });
  });

  it('answers 503 naming the adapter whose probe fails (local storage lost its folder)', async () => {
    rmSync(join(server.dir, 'files', 'objects'), { recursive: true, force: true });
    const { status, body } = await ready();
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: 'not ready', failed: ['storage'], checks: { storage: expect.stringMatching(/^not ready \(local\): .*ENOENT/) } });
    // Liveness is another question: the process still answers.
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('answers 503 naming the database when its round trip fails', async () => {
    const db = server.app.ports.db;
    const ping = db.ping.bind(db);
    db.ping = () => Promise.reject(new Error('connection refused'));
    try {
      const { status, body } = await ready();
      expect(status).toBe(503);
      expect(body.failed).toContain('db');
      expect(body.checks.db).toBe('unreachable: connection refused');
    } finally {
      db.ping = ping;
    }
  });
});
