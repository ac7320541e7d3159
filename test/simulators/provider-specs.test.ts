import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/plugin-context.js';
import { RESEND_SPEC } from './resend/resend-openapi-spec.js';
import { locateSpec, RESEND_API, TWILIO_API_V2010, type SpecLocation } from './shared/provider-specs.js';
import { TWILIO_SPEC } from './twilio/twilio-openapi-spec.js';

/** The operations the simulators check requests against, per published document. */
const CHECKED: Array<[name: string, location: SpecLocation, operations: Array<[path: string, method: string]>]> = [
  ['Twilio API v2010', TWILIO_SPEC, [
    ['/2010-04-01/Accounts/{AccountSid}/Messages.json', 'post'], ['/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json', 'get'],
    ['/2010-04-01/Accounts/{AccountSid}/Calls.json', 'post'], ['/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json', 'post'],
  ]],
  ['Resend API', RESEND_SPEC, [['/emails', 'post'], ['/emails/{email_id}', 'get'], ['/emails/receiving/{email_id}', 'get']]],
];

describe('providers\' published OpenAPI documents (the simulators\' extra check)', () => {
  it.for(CHECKED)('%s: found, and it describes every operation the simulator checks', ([, location, operations], ctx) => {
    if (!location.found) return ctx.skip(location.reason);
    const document = JSON.parse(readFileSync(location.path, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
    for (const [path, method] of operations) expect(document.paths[path]?.[method], `${method} ${path}`).toBeDefined();
  });

  it('prefers the npm package\'s copy of Twilio\'s documents, installed with the dev dependencies', () => {
    expect(locateSpec(TWILIO_API_V2010, {}, tempDir('no-specs-'))).toMatchObject({ found: true, source: 'npm package @twilio-alpha/mcp' });
  });

  it('finds a document in COMMS_SPECS_DIR or ../shared/specs, and otherwise says why the check is skipped', () => {
    const dir = tempDir('specs-');
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    writeFileSync(join(dir, 'resend.json'), '{}');
    expect(locateSpec(RESEND_API, { COMMS_SPECS_DIR: dir }, empty)).toEqual({ found: true, path: join(dir, 'resend.json'), source: 'COMMS_SPECS_DIR' });
    expect(locateSpec(RESEND_API, {}, dir)).toEqual({ found: true, path: join(dir, 'resend.json'), source: '../shared/specs' });
    const missing = locateSpec(RESEND_API, {}, empty);
    expect(missing).toEqual({ found: false, reason: expect.stringContaining('resend.json not found') });
    expect(() => locateSpec(RESEND_API, { COMMS_REQUIRE_SPECS: '1' }, empty)).toThrow(/COMMS_REQUIRE_SPECS=1/);
  });
});
