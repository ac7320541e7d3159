import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../ports/errors.js';
import { ERROR_GUIDE } from '../../scripts/docs/error-guide.js';
import { renderPages } from '../../scripts/docs/generate-docs.js';
import { REPO_ROOT } from '../support/cli.js';

const DOCS = ['SETUP.md', 'MCP-TOOLS.md', 'API.md', 'PROVIDERS.md', 'SECURITY.md', 'OBSERVABILITY.md', 'TROUBLESHOOTING.md', 'ARCHITECTURE.md'];
const read = (file: string): string => readFileSync(join(REPO_ROOT, file), 'utf8');

describe('documentation set (docs/)', () => {
  it('has every promised page, each linked from the README', () => {
    const readme = read('README.md');
    for (const page of DOCS) {
      expect(existsSync(join(REPO_ROOT, 'docs', page)), page).toBe(true);
      expect(readme, `README links docs/${page}`).toContain(`(docs/${page})`);
    }
  });

  it('has generated pages that match the code (tools, OpenAPI, provider options, error codes): run `npm run docs` when this fails', async () => {
    for (const page of await renderPages()) expect(page.current, `${page.file} is stale: run \`npm run docs\` and commit it`).toBe(page.expected);
  }, 60_000);

  it('gives every error code of ports/errors.ts a cause and a fix in TROUBLESHOOTING.md', () => {
    const page = read('docs/TROUBLESHOOTING.md');
    const undocumented = ERROR_CODES.filter((code) => !ERROR_GUIDE[code]?.cause || !ERROR_GUIDE[code]?.fix);
    expect(undocumented, 'add their cause and fix to scripts/docs/error-guide.ts').toEqual([]);
    for (const code of ERROR_CODES) expect(page).toContain(`| \`${code}\` |`);
  });

  it('explains in SETUP.md every config example it ships', () => {
    const setup = read('docs/SETUP.md');
    for (const example of readdirSync(join(REPO_ROOT, 'config', 'examples'))) expect(setup, example).toContain(`config/examples/${example}`);
  });

  it('draws the data flows of a send, an inbound message and a live call in ARCHITECTURE.md', () => {
    const page = read('docs/ARCHITECTURE.md');
    for (const flow of ['## Sending a message', '## An inbound message', '## A live call']) {
      const section = page.split(flow)[1]?.split('\n## ')[0] ?? '';
      expect(section, flow).toContain('```mermaid');
    }
  });
});
