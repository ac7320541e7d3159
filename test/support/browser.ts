import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from './cli.js';

/** Debian's Chromium (`.ci/run` installs it): the tests never download a browser. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Why the browser tests cannot run here, or null when they can. Under CI a missing browser is a failure,
 * not a skip: `.ci/run` is meant to have installed it.
 */
export function browserMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: install it (apt-get install -y chromium), as .ci/run does.`);
  return `${CHROMIUM} is not installed (apt-get install -y chromium); browser tests skipped outside CI`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

const CONSOLE_SOURCES = join(REPO_ROOT, 'console');
const BUILT_INDEX = join(REPO_ROOT, 'dist', 'admin-console', 'index.html');

function newestSource(dir: string): number {
  return Math.max(...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newestSource(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
}

/** Builds the console (as `npm run build` does) when dist/ has none or an older one than its sources. */
export async function ensureConsoleBuilt(): Promise<void> {
  if (existsSync(BUILT_INDEX) && statSync(BUILT_INDEX).mtimeMs >= newestSource(CONSOLE_SOURCES)) return;
  const { build } = await import('vite');
  await build({ configFile: join(CONSOLE_SOURCES, 'vite.config.ts') });
}

/** What a page reported that must not happen: console errors, uncaught exceptions, CSP violations. */
export interface PageProblems { errors: string[]; cspViolations: string[] }

/** Records console errors, page errors and `securitypolicyviolation` events of every document the page loads. */
export async function watchProblems(page: Page): Promise<PageProblems> {
  const problems: PageProblems = { errors: [], cspViolations: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.errors.push(msg.text());
  });
  page.on('pageerror', (err) => problems.errors.push(err.message));
  await page.exposeFunction('__reportCspViolation', (text: string) => problems.cspViolations.push(text));
  // Page code, as a string: it runs in the browser, not under this file's Node types.
  await page.addInitScript({
    content: "document.addEventListener('securitypolicyviolation', (e) => window.__reportCspViolation(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));",
  });
  return problems;
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core run in the page (injected through the DevTools protocol, which the page's CSP does not govern). */
export async function seriousAccessibilityViolations(page: Page): Promise<Array<{ id: string; impact: string; help: string; nodes: string[] }>> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    const { violations } = await axe.run();
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
}
