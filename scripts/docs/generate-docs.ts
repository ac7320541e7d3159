/**
 * `npm run docs`: rewrites the generated part of each page in docs/ from the code (tool descriptors, the
 * OpenAPI document, the plugins' options schemas, the error codes). `--check` changes nothing and exits 1
 * listing the pages that are stale; the docs test does the same.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withGenerated } from './markdown.js';
import { GENERATED_PAGES } from './pages.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** Each page as it is and as it should be. */
export async function renderPages(): Promise<Array<{ file: string; current: string; expected: string }>> {
  return Promise.all(GENERATED_PAGES.map(async (page) => {
    const path = join(ROOT, page.file);
    const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
    return { file: page.file, current, expected: withGenerated(current, await page.render()) };
  }));
}

if (process.argv[1] === import.meta.filename) {
  const check = process.argv.includes('--check');
  const stale = (await renderPages()).filter((p) => p.current !== p.expected);
  for (const page of stale) {
    if (check) console.error(`stale: ${page.file}`);
    else writeFileSync(join(ROOT, page.file), page.expected);
  }
  if (check && stale.length > 0) {
    console.error('Run `npm run docs` and commit the pages.');
    process.exit(1);
  }
  if (!check) console.log(stale.length ? `updated: ${stale.map((p) => p.file).join(', ')}` : 'docs are up to date');
}
