import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Writes a whole file or nothing: the bytes go to a temporary file in `tmpDir` (same filesystem), are
 * flushed to disk, then renamed over the target. A reader sees the old file or the new one, never half.
 */
export async function writeFileAtomically(target: string, bytes: Uint8Array, tmpDir: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const temporary = join(tmpDir, `${randomBytes(12).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temporary, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(temporary, target);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
}
