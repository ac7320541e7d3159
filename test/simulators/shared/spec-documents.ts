import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Where a provider's published API description is, when it is: `<repo>/../shared/specs/<name>` sits beside the
 * project's own workspace and CI, not beside a user's fresh clone. Checking requests against it is an extra layer:
 * without the file a simulator works as before and its spec check is reported as skipped with `reason`.
 */
export type SpecDocument = { path: string; reason?: undefined } | { path: null; reason: string };

const SPECS_DIR = new URL('../../../../shared/specs/', import.meta.url);

export function specDocument(name: string): SpecDocument {
  const path = fileURLToPath(new URL(name, SPECS_DIR));
  return existsSync(path) ? { path } : { path: null, reason: `${name} is not at ../shared/specs/ beside this checkout` };
}
