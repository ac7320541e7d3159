import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing } from '../support/browser.js';
import { CONSOLE_TIMEOUT, openConsole, type ConsoleSession } from '../support/console-session.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';

const skipReason = browserMissing();
const NAMES = ['sms-reply', 'email-attachment', 'whatsapp-template', 'voice-message', 'live-call'];
/** Demo mode: every channel and the voice pipeline on the demo adapters, as in config/default.yaml. */
const DEMO = { email: { use: 'mock' }, whatsapp: { use: 'mock' }, tts: { use: 'mock' }, storage: { use: 'local' }, brain: { use: 'mock' } };

/** The scenario runner page in Debian's Chromium, on a server in demo mode: every scenario passes from the console. */
describe.skipIf(skipReason !== null)(`Console scenario runner${skipReason ? ` (${skipReason})` : ''}`, { timeout: 300_000 }, () => {
  let server: TestServer;
  let browser: ConsoleSession;

  beforeAll(async () => {
    server = await startTestServer({ extra: DEMO });
    browser = await openConsole(server.url);
    await browser.logIn(ADMIN_TOKEN);
    await browser.open('Scenarios');
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists the five scenarios with their channels', async () => {
    const { page } = browser;
    await page.locator('section[data-scenario="live-call"]').waitFor();
    expect(await page.locator('section[data-scenario]').evaluateAll((sections) => sections.map((s) => s.getAttribute('data-scenario')))).toEqual(NAMES);
    expect(await page.locator('section[data-scenario="live-call"] .hint').textContent()).toBe('live-call · voice');
    expect(page.url()).toBe(`${server.url}/admin/scenarios`);
    await browser.expectClean();
  });

  it('runs every scenario from the console: each passes, each step shown with pass/fail', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Run all scenarios' }).click();
    const summary = page.getByTestId('scenario-summary');
    await expect.poll(() => summary.textContent(), { timeout: CONSOLE_TIMEOUT }).toMatch(/^\d+ of 5 scenarios passed\.$/);
    expect(await summary.textContent()).toBe('5 of 5 scenarios passed.');
    for (const name of NAMES) {
      const section = page.locator(`section[data-scenario="${name}"]`);
      expect(await section.getByTestId('scenario-verdict').textContent(), name).toBe('Passed');
      const steps = await section.locator('li[data-step-passed]').evaluateAll((items) => items.map((li) => [li.getAttribute('data-step-passed'), li.textContent]));
      expect(steps.length, name).toBeGreaterThan(1);
      expect(steps.filter(([passed]) => passed !== 'true'), name).toEqual([]);
      for (const [, text] of steps) expect(text).toMatch(/^pass .+ \d+ ms/);
    }
    const liveCall = await page.locator('section[data-scenario="live-call"] ol').textContent();
    expect(liveCall).toContain('contact interrupts the agent (barge-in)');
    expect(liveCall).toContain('agent transfers the call');
    await browser.expectClean();
  });

  it('runs one scenario again on its own: a new run, with new messages', async () => {
    const { page } = browser;
    const section = page.locator('section[data-scenario="sms-reply"]');
    const before = await section.locator('ol').textContent();
    await section.getByRole('button', { name: /^Run / }).click();
    // Each run sends new messages: the step details name their ids.
    await expect.poll(() => section.locator('ol').textContent().catch(() => before), { timeout: CONSOLE_TIMEOUT }).not.toBe(before);
    expect(await section.getByTestId('scenario-verdict').textContent()).toBe('Passed');
    expect(await section.locator('li[data-step-passed="false"]').count()).toBe(0);
    await browser.expectClean();
  });
});
