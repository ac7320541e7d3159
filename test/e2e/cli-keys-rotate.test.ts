import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { AesGcmCredentialCipher } from '../../adapters/node/aes-gcm-credential-cipher.js';
import { silentLogger } from '../../adapters/node/pino-logger.js';
import { openCredentials, sealCredentials } from '../../core/providers/sealed-credentials.js';
import { buildApp, type App } from '../../hosts/composition/build-app.js';
import { loadConfig } from '../../hosts/config/load-config.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/plugin-context.js';

const KEY_1 = randomBytes(32).toString('base64');
const KEY_2 = randomBytes(32).toString('base64');
const SECRET = 'stored-auth-token-never-printed-42';

/** `agentos-comms keys rotate` on the database of a config, run from sources as an operator would. */
describe('keys rotate (CLI)', { timeout: 240_000 }, () => {
  const dataDir = tempDir('agentos-cli-keys-');
  const env = { COMMS_DATA_DIR: dataDir, COMMS_CONFIG: '', LOG_LEVEL: 'warn' };
  const open = (keys: Record<string, string>): Promise<App> =>
    buildApp(loadConfig({ env: { COMMS_DATA_DIR: dataDir } }), { migrate: true, logger: silentLogger(), env: keys });
  const rotate = (keys: Record<string, string>, ...args: string[]) => runCli(['keys', 'rotate', ...args], { ...env, COMMS_CREDENTIALS_KEY: '', COMMS_CREDENTIALS_KEY_PREVIOUS: '', ...keys });

  beforeAll(async () => {
    const app = await open({ COMMS_CREDENTIALS_KEY: KEY_1 });
    try {
      const cipher = new AesGcmCredentialCipher({ COMMS_CREDENTIALS_KEY: KEY_1 });
      const now = new Date();
      for (const name of ['acme', 'globex']) {
        const id = `prv_${name}`;
        await app.ports.db.providerCredentials.insert({
          id, name, provider: 'twilio', port: 'telephony', ownerId: null, verifiedDetail: 'account AC00… is active',
          sealed: sealCredentials(cipher, id, name, { accountSid: 'AC00000000000000000000000000000001', authToken: SECRET }),
          verifiedAt: now, createdAt: now, updatedAt: now,
        });
      }
    } finally {
      await app.close();
    }
  });

  it('explains a missing key with its code and how to make one', async () => {
    const result = await rotate({});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('CREDENTIALS_KEY_MISSING');
    expect(result.stderr).toContain('openssl rand -base64 32');
  });

  it('reports, exit 1, the sets it cannot open without the previous key, and changes nothing', async () => {
    const result = await rotate({ COMMS_CREDENTIALS_KEY: KEY_2 }, '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ rotated: 0, alreadyCurrent: 0, failed: [{ name: 'acme', code: 'CREDENTIALS_KEY_UNKNOWN' }, { name: 'globex', code: 'CREDENTIALS_KEY_UNKNOWN' }] });
  });

  it('re-encrypts everything under the new key, prints counts and never a secret; a second run has nothing to do', async () => {
    const first = await rotate({ COMMS_CREDENTIALS_KEY: KEY_2, COMMS_CREDENTIALS_KEY_PREVIOUS: KEY_1 });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/2 re-encrypted, 0 already under it, 0 failed/);
    const second = await rotate({ COMMS_CREDENTIALS_KEY: KEY_2, COMMS_CREDENTIALS_KEY_PREVIOUS: KEY_1 }, '--json');
    expect(JSON.parse(second.stdout)).toMatchObject({ rotated: 0, alreadyCurrent: 2, failed: [] });
    for (const output of [first.stdout, first.stderr, second.stdout, second.stderr]) {
      expect(output).not.toContain(SECRET);
      expect(output).not.toContain(KEY_1);
      expect(output).not.toContain(KEY_2);
    }

    const app = await open({ COMMS_CREDENTIALS_KEY: KEY_2 });
    try {
      const onlyNew = new AesGcmCredentialCipher({ COMMS_CREDENTIALS_KEY: KEY_2 });
      for (const record of await app.ports.db.providerCredentials.list()) expect(openCredentials(onlyNew, record)).toMatchObject({ authToken: SECRET });
      const rotations = await app.ports.db.audit.list({ action: 'credentials.key.rotate', limit: 10 });
      expect(rotations.map((e) => [e.outcome, e.targets.rotated])).toEqual([['ok', 0], ['ok', 2], ['CREDENTIALS_KEY_UNKNOWN', 0]]);
    } finally {
      await app.close();
    }
  });
});
