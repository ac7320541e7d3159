import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the providers' own OpenAPI documents are found, for the simulators' extra check of every request
 * against the provider's published description. The simulators work without them; only that check is then
 * skipped, with the reason. Looked up, in order:
 *
 * 1. a copy installed from the registry (`@twilio-alpha/mcp` ships Twilio's `twilio-oai` JSON documents);
 * 2. `COMMS_SPECS_DIR`, a folder holding the documents under their published names;
 * 3. `../shared/specs/` beside the repository (the project's CI has it).
 *
 * With `COMMS_REQUIRE_SPECS=1` (set by `.ci/run`) a missing document is an error instead, so CI keeps
 * validating everything.
 */
export type SpecLocation = { found: true; path: string; source: string } | { found: false; reason: string };

export interface ProviderSpec {
  /** File name as the provider publishes it. */
  file: string;
  /** Path of the document inside an npm package that ships it, when one does. */
  packaged?: { name: string; path: string };
}

export const TWILIO_API_V2010: ProviderSpec = {
  file: 'twilio_api_v2010.json',
  packaged: { name: '@twilio-alpha/mcp', path: 'twilio-oai/spec/json/twilio_api_v2010.json' },
};
export const RESEND_API: ProviderSpec = { file: 'resend.json' };

/** `<repo>/../shared/specs`. */
const SHARED_SPECS = fileURLToPath(new URL('../../../../shared/specs', import.meta.url));
const requireFromHere = createRequire(import.meta.url);

function packagedCopy(spec: ProviderSpec): string | null {
  if (!spec.packaged) return null;
  try {
    const root = dirname(requireFromHere.resolve(`${spec.packaged.name}/package.json`));
    const path = join(root, spec.packaged.path);
    return existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

export function locateSpec(spec: ProviderSpec, env: NodeJS.ProcessEnv = process.env, sharedSpecs = SHARED_SPECS): SpecLocation {
  const packaged = packagedCopy(spec);
  if (packaged) return { found: true, path: packaged, source: `npm package ${spec.packaged?.name}` };
  const candidates = [
    ...(env.COMMS_SPECS_DIR ? [{ dir: env.COMMS_SPECS_DIR, source: 'COMMS_SPECS_DIR' }] : []),
    { dir: sharedSpecs, source: '../shared/specs' },
  ];
  for (const { dir, source } of candidates) {
    const path = join(dir, spec.file);
    if (existsSync(path)) return { found: true, path, source };
  }
  const places = [spec.packaged ? `the npm package ${spec.packaged.name}` : null, ...candidates.map((c) => c.source)].filter(Boolean).join(', ');
  const reason = `${spec.file} not found (looked in ${places}): requests are not checked against the provider's published OpenAPI document`;
  if (env.COMMS_REQUIRE_SPECS === '1') throw new Error(`${reason}. COMMS_REQUIRE_SPECS=1 makes this an error.`);
  return { found: false, reason };
}
