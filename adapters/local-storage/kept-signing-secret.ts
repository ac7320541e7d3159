import { randomBytes } from 'node:crypto';
import { link, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const FILE = 'signing-secret';

/**
 * The signing secret kept in `<root>/signing-secret` when none is configured: made once, then read by every later
 * start and by every server sharing the folder, so signed URLs already handed out (audio a provider fetches for a
 * voice message) keep working after a restart. The first process to link its candidate in wins; the rest read it.
 */
export async function keptSigningSecret(root: string, tmpDir: string): Promise<Uint8Array> {
  const path = join(root, FILE);
  const candidate = join(tmpDir, `${randomBytes(12).toString('hex')}.secret`);
  await writeFile(candidate, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  try {
    // link() never replaces an existing file, and the candidate is whole before it is linked: no reader sees half.
    await link(candidate, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await rm(candidate, { force: true });
  }
  const secret = (await readFile(path, 'utf8')).trim();
  if (secret.length < 32) throw new Error(`${path} holds no usable secret: delete it to make a new one`);
  return Buffer.from(secret, 'utf8');
}
