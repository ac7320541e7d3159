import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databasePluginContext } from '../../contracts/database.js';
import { codeThrownBy } from '../../contracts/domain-error-assertions.js';
import sqlitePlugin from '../../adapters/mikro-orm/sqlite-plugin.js';
import postgresqlPlugin from '../../adapters/mikro-orm/postgresql-plugin.js';
import { AesGcmCredentialCipher } from '../../adapters/node/aes-gcm-credential-cipher.js';
import { NodeSecrets } from '../../adapters/node/node-secrets.js';
import { TimeSortableIds } from '../../adapters/node/time-sortable-ids.js';
import type { CorePorts } from '../../core/context.js';
import { openCredentials, sealCredentials } from '../../core/providers/sealed-credentials.js';
import { rotateCredentialsKey } from '../../core/providers/rotate-credentials-key.js';
import type { CredentialCipher, ProviderCredentialRecord } from '../../ports/provider-credentials.js';
import type { Database } from '../../ports/repositories.js';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';

const SECRET = 'auth-token-that-must-never-show-0123';
const key = () => randomBytes(32).toString('base64');
const KEY_1 = key();
const KEY_2 = key();
const now = new Date('2026-12-01T14:00:00.000Z');
const ADMIN = { kind: 'admin' as const, id: null };

/** Flips one bit of the base64 value's first byte. */
function flipped(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

describe('the AES-256-GCM credential cipher', () => {
  it('seals with a fresh IV each time, binds the associated data, and never holds the plaintext', () => {
    const cipher = new AesGcmCredentialCipher({ COMMS_CREDENTIALS_KEY: KEY_1 });
    const a = cipher.seal(SECRET, 'row-a');
    const b = cipher.seal(SECRET, 'row-a');
    expect(Buffer.from(a.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(a.tag, 'base64')).toHaveLength(16);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(JSON.stringify(a)).not.toContain(SECRET);
    expect(a.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify(a)).not.toContain(KEY_1);
    expect(cipher.open(a, 'row-a')).toBe(SECRET);
    expect(codeThrownBy(() => cipher.open(a, 'row-b'))).toBe('CREDENTIALS_TAMPERED');
  });

  it('refuses to work without a key, or with one that is not 32 bytes of base64, naming the variable and how to make one', () => {
    const missing = new AesGcmCredentialCipher({});
    let error: unknown;
    try {
      missing.seal(SECRET, 'x');
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'CREDENTIALS_KEY_MISSING', details: { variable: 'COMMS_CREDENTIALS_KEY' } });
    expect((error as { nextStep: string }).nextStep).toContain('openssl rand -base64 32');
    for (const bad of ['not base64 at all!', randomBytes(16).toString('base64'), `${KEY_1}AAAA`]) {
      const cipher = new AesGcmCredentialCipher({ COMMS_CREDENTIALS_KEY: bad });
      expect(codeThrownBy(() => cipher.seal(SECRET, 'x'))).toBe('CREDENTIALS_KEY_INVALID');
    }
    const badPrevious = new AesGcmCredentialCipher({ COMMS_CREDENTIALS_KEY: KEY_2, COMMS_CREDENTIALS_KEY_PREVIOUS: 'short' });
    const sealed = new AesGcmCredentialCipher({ COMMS_CREDENTIALS_KEY: KEY_1 }).seal(SECRET, 'x');
    expect(codeThrownBy(() => badPrevious.open(sealed, 'x'))).toBe('CREDENTIALS_KEY_INVALID');
  });

  it('opens what the previous key sealed, and names a key it does not hold as CREDENTIALS_KEY_UNKNOWN', () => {
    const sealed = new AesGcmCredentialCipher({ COMMS_CREDENTIALS_KEY: KEY_1 }).seal(SECRET, 'x');
    expect(new AesGcmCredentialCipher({ COMMS_CREDENTIALS_KEY: KEY_2, COMMS_CREDENTIALS_KEY_PREVIOUS: KEY_1 }).open(sealed, 'x')).toBe(SECRET);
    expect(codeThrownBy(() => new AesGcmCredentialCipher({ COMMS_CREDENTIALS_KEY: KEY_2 }).open(sealed, 'x'))).toBe('CREDENTIALS_KEY_UNKNOWN');
  });
});

interface Backend {
  name: string;
  open(): Promise<Database>;
  cleanup(): Promise<void>;
}

const sqliteDirs: string[] = [];
const backends: Backend[] = [{
  name: 'sqlite',
  async open() {
    const dir = await mkdtemp(join(tmpdir(), 'comms-creds-'));
    sqliteDirs.push(dir);
    return sqlitePlugin.create({ path: join(dir, 'creds.sqlite') }, databasePluginContext(dir));
  },
  async cleanup() {
    await Promise.all(sqliteDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  },
}];
let schemas: Awaited<ReturnType<typeof postgresSchemas>> | null = null;
if (POSTGRES_URL) {
  backends.push({
    name: 'postgresql',
    async open() {
      schemas ??= await postgresSchemas(POSTGRES_URL!);
      return postgresqlPlugin.create({ url: POSTGRES_URL!, schema: schemas.fresh() }, databasePluginContext(tmpdir()));
    },
    async cleanup() {
      await schemas?.close();
      schemas = null;
    },
  });
}

describe.each(backends)('stored provider credentials on $name', (backend) => {
  let db: Database;
  let counter = 0;
  const cipher1 = new AesGcmCredentialCipher({ COMMS_CREDENTIALS_KEY: KEY_1 });
  const rotating = new AesGcmCredentialCipher({ COMMS_CREDENTIALS_KEY: KEY_2, COMMS_CREDENTIALS_KEY_PREVIOUS: KEY_1 });
  const onlyNew = new AesGcmCredentialCipher({ COMMS_CREDENTIALS_KEY: KEY_2 });

  async function store(name: string, cipher: CredentialCipher = cipher1, secret = SECRET): Promise<ProviderCredentialRecord> {
    const id = `prv_${String(++counter).padStart(4, '0')}`;
    const record: ProviderCredentialRecord = {
      id, name, provider: 'twilio', port: 'telephony', ownerId: name === 'acme' ? 'cus_acme' : null,
      sealed: sealCredentials(cipher, id, name, { accountSid: 'AC00000000000000000000000000000001', authToken: secret }),
      verifiedDetail: 'account AC0000… is active', verifiedAt: now, createdAt: now, updatedAt: now,
    };
    await db.providerCredentials.insert(record);
    return record;
  }
  const stored = async (name: string) => {
    const record = await db.providerCredentials.findByName(name);
    if (!record) throw new Error(`${name} is not stored`);
    return record;
  };
  const ports = (cipher: CredentialCipher) =>
    ({ db, credentialCipher: cipher, clock: { now: () => now }, ids: new TimeSortableIds(), secrets: new NodeSecrets() }) as unknown as CorePorts;

  beforeEach(async () => {
    db = await backend.open();
    await db.migrate();
  });
  afterEach(async () => {
    await db.close();
  });
  afterAll(async () => {
    await backend.cleanup();
  });

  it('round-trips: stored sealed (no secret in any column), read back and opened to the same options', async () => {
    const record = await store('acme');
    const read = await stored('acme');
    expect(read).toEqual(record);
    expect(JSON.stringify(await db.providerCredentials.list())).not.toContain(SECRET);
    expect(openCredentials(cipher1, read)).toEqual({ accountSid: 'AC00000000000000000000000000000001', authToken: SECRET });
  });

  it('refuses a second set of the same name with CONFLICT, lists by name, removes once', async () => {
    await store('zeta');
    await store('acme');
    await expect(store('acme')).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await db.providerCredentials.list()).map((r) => r.name)).toEqual(['acme', 'zeta']);
    expect(await db.providerCredentials.remove('acme')).toBe(true);
    expect(await db.providerCredentials.remove('acme')).toBe(false);
    expect(await db.providerCredentials.findByName('acme')).toBeNull();
  });

  it('detects a flipped byte of the ciphertext, IV or tag as CREDENTIALS_TAMPERED', async () => {
    for (const part of ['ciphertext', 'iv', 'tag'] as const) {
      const record = await store(`flip-${part}`);
      expect(await db.providerCredentials.reseal(record.id, record.sealed.keyId, { ...record.sealed, [part]: flipped(record.sealed[part]) }, now)).toBe(true);
      expect(codeThrownBy(() => openCredentials(cipher1, { ...record, sealed: { ...record.sealed, [part]: '' } }))).toBe('CREDENTIALS_TAMPERED');
      const tampered = await stored(`flip-${part}`);
      expect(codeThrownBy(() => openCredentials(cipher1, tampered))).toBe('CREDENTIALS_TAMPERED');
    }
  });

  it('detects a ciphertext swapped between rows (each is bound to its id and name) as CREDENTIALS_TAMPERED', async () => {
    const acme = await store('acme', cipher1, 'acme-secret-0000000000');
    const other = await store('other', cipher1, 'other-secret-000000000');
    await db.providerCredentials.reseal(other.id, other.sealed.keyId, acme.sealed, now);
    await db.providerCredentials.reseal(acme.id, acme.sealed.keyId, other.sealed, now);
    for (const name of ['acme', 'other']) {
      let error: unknown;
      try {
        openCredentials(cipher1, await stored(name));
      } catch (err) {
        error = err;
      }
      expect(error).toMatchObject({ code: 'CREDENTIALS_TAMPERED' });
      expect(JSON.stringify(error)).not.toMatch(/acme-secret|other-secret/);
    }
  });

  it('re-seals only while the row is still under the expected key (compare-and-swap)', async () => {
    const record = await store('acme');
    const resealed = sealCredentials(onlyNew, record.id, record.name, { authToken: SECRET });
    expect(await db.providerCredentials.reseal(record.id, 'not-its-key', resealed, now)).toBe(false);
    expect((await stored('acme')).sealed).toEqual(record.sealed);
  });

  it('rotates every set to the new key, resumes after an interruption, and reports sets it cannot open', async () => {
    for (const name of ['a', 'b', 'c', 'd']) await store(name);
    // An interrupted earlier run: one row already moved.
    const a = await stored('a');
    await db.providerCredentials.reseal(a.id, a.sealed.keyId, sealCredentials(onlyNew, a.id, a.name, openCredentials(cipher1, a)), now);
    // A set under a key nobody holds any more.
    await store('lost', new AesGcmCredentialCipher({ COMMS_CREDENTIALS_KEY: key() }));

    const report = await rotateCredentialsKey(ports(rotating), ADMIN, null);
    expect(report).toEqual({ keyId: onlyNew.currentKeyId(), rotated: 3, alreadyCurrent: 1, failed: [{ name: 'lost', code: 'CREDENTIALS_KEY_UNKNOWN' }] });
    for (const name of ['a', 'b', 'c', 'd']) {
      const record = await stored(name);
      expect(record.sealed.keyId).toBe(onlyNew.currentKeyId());
      expect(openCredentials(onlyNew, record)).toMatchObject({ authToken: SECRET });
    }
    // Run again: nothing left to do but the set that cannot be opened.
    expect(await rotateCredentialsKey(ports(rotating), ADMIN, null)).toMatchObject({ rotated: 0, alreadyCurrent: 4, failed: [{ name: 'lost' }] });
    const [entry] = await db.audit.list({ action: 'credentials.key.rotate', limit: 1 });
    expect(entry).toMatchObject({ outcome: 'CREDENTIALS_KEY_UNKNOWN', targets: { keyId: onlyNew.currentKeyId(), rotated: 0, alreadyCurrent: 4, failed: 1 } });
    expect(JSON.stringify(await db.audit.list({ limit: 10 }))).not.toContain(SECRET);
  });

  it('rotates more sets than one batch', async () => {
    for (let i = 0; i < 105; i += 1) await store(`set-${String(i).padStart(3, '0')}`);
    expect(await rotateCredentialsKey(ports(rotating), ADMIN, null)).toMatchObject({ rotated: 105, alreadyCurrent: 0, failed: [] });
  });
});
