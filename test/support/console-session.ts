import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { ensureConsoleBuilt, launchChromium, seriousAccessibilityViolations, watchProblems, type PageProblems } from './browser.js';

/** Generous: a loaded machine (several engineers' test runs) slows the browser down. */
export const CONSOLE_TIMEOUT = 120_000;

export interface ConsoleSession {
  page: Page;
  problems: PageProblems;
  /** Pastes the token on the login page and waits for the dashboard. */
  logIn(token: string): Promise<void>;
  logOut(): Promise<void>;
  /** Opens a console page from the navigation bar and waits for its heading. */
  open(link: string, heading?: string): Promise<void>;
  /** No console error, no CSP violation, no serious accessibility violation (axe-core) so far. */
  expectClean(): Promise<void>;
  close(): Promise<void>;
}

/** The built admin console of a running server in Debian's Chromium, watched for errors and CSP violations. */
export async function openConsole(url: string): Promise<ConsoleSession> {
  await ensureConsoleBuilt();
  const browser: Browser = await launchChromium();
  const page = await browser.newPage();
  page.setDefaultTimeout(CONSOLE_TIMEOUT);
  const problems = await watchProblems(page);
  return {
    page,
    problems,
    async logIn(token) {
      await page.goto(`${url}/admin`);
      await page.getByLabel('Admin token').fill(token);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    },
    async logOut() {
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByLabel('Admin token').waitFor();
    },
    async open(link, heading = link) {
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: link, exact: true }).click();
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    },
    async expectClean() {
      expect(problems.cspViolations).toEqual([]);
      expect(problems.errors).toEqual([]);
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
    },
    close: () => browser.close(),
  };
}
