import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import { browserMissing, ensureConsoleBuilt, launchChromium, seriousAccessibilityViolations, watchProblems, type PageProblems } from '../support/browser.js';
import { restCall } from '../support/server-process.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';

const skipReason = browserMissing();
const BROWSER_TIMEOUT = 60_000;
const KEY = randomBytes(32).toString('base64');

/**
 * The web setup wizard in Debian's Chromium against the real server (demo telephony), walked end to end to
 * a sent test message and setup marked done. WhatsApp credentials are verified live against the Twilio
 * simulator (wrong ones refused, with the provider's code announced). Each step: no console error beyond the
 * refusals the test provokes, no CSP violation, no serious accessibility violation (axe-core).
 */
describe.skipIf(skipReason !== null)(`Setup wizard in a browser${skipReason ? ` (${skipReason})` : ''}`, { timeout: 300_000 }, () => {
  const sim = new TwilioSimulator();
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let problems: PageProblems;

  /** The browser logs each refused request: exactly the ones a step provoked may be there. */
  const expectCleanPage = async (expectedRefusals: number[] = []) => {
    expect(problems.cspViolations).toEqual([]);
    expect(problems.errors.splice(0).map((e) => Number(/status of (\d+)/.exec(e)?.[1] ?? -1))).toEqual(expectedRefusals);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  };
  const nextStep = async (title: string) => {
    await page.getByRole('button', { name: `Next: ${title}` }).click();
    await page.getByRole('heading', { name: new RegExp(`Step \\d of 8: ${title}`) }).waitFor();
  };
  const setupStatus = async () => (await restCall<{ done: boolean; steps: Array<{ step: string; done: boolean }>; channels: Array<{ channel: string; provider: string | null; credentialsRef: string | null }> }>(server.url, ADMIN_TOKEN, 'GET', '/setup')).body;

  beforeAll(async () => {
    await ensureConsoleBuilt();
    await sim.start();
    server = await startTestServer({ env: { COMMS_CREDENTIALS_KEY: KEY } });
    browser = await launchChromium();
    page = await browser.newPage();
    page.setDefaultTimeout(BROWSER_TIMEOUT);
    problems = await watchProblems(page);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await sim.stop();
  });

  it('opens at /admin/setup after the admin logs in, the token in session storage only', async () => {
    await page.goto(`${server.url}/admin/setup`);
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Step 1 of 8: Providers' }).waitFor();
    expect(page.url()).toBe(`${server.url}/admin/setup`);
    expect(await page.evaluate('Object.values(sessionStorage)')).toEqual([ADMIN_TOKEN]);
    await expectCleanPage();
  });

  it('verifies provider credentials live: wrong ones refused with the provider\'s code, right ones stored; demo telephony chosen', async () => {
    await page.getByLabel('WhatsApp provider').selectOption('twilio');
    const whatsapp = page.locator('form', { has: page.getByLabel('WhatsApp provider') });
    await whatsapp.getByLabel('accountSid').fill(sim.accountSid);
    await whatsapp.getByLabel('authToken').fill('not-the-token');
    await whatsapp.getByText('More twilio options').click();
    await whatsapp.getByLabel('baseUrl (optional)').fill(sim.baseUrl);
    await whatsapp.getByRole('button', { name: 'Verify and save whatsapp credentials' }).click();
    await expect.poll(() => whatsapp.getByRole('alert').textContent()).toMatch(/^PROVIDER_AUTH_FAILED: /);
    expect((await setupStatus()).channels.find((c) => c.channel === 'whatsapp')?.provider).toBeNull();

    // The form keeps what was typed: only the token is corrected.
    await whatsapp.getByLabel('authToken').fill(sim.authToken);
    await whatsapp.getByRole('button', { name: 'Verify and save whatsapp credentials' }).click();
    await whatsapp.getByRole('status').getByText(/whatsapp: twilio accepted the credentials .*stored as "setup-whatsapp"/).waitFor();
    expect((await setupStatus()).channels.find((c) => c.channel === 'whatsapp')).toMatchObject({ provider: 'twilio', credentialsRef: 'setup-whatsapp' });
    // Stored encrypted on the server: the secret is no longer in the page.
    expect(await whatsapp.getByLabel('authToken').inputValue()).toBe('');

    await page.getByRole('button', { name: 'Use the demo adapter for telephony' }).click();
    await page.getByText('telephony: demo adapter chosen').waitFor();
    await page.getByRole('button', { name: /Providers ✓ done/ }).waitFor();
    // The provider's refusal is a 502 to the browser (the provider, not the console, said no).
    await expectCleanPage([502]);
  });

  it('checks the public URL: the server reaches itself through it', async () => {
    await nextStep('Public URL');
    await page.getByRole('textbox', { name: 'Public URL' }).fill(server.url);
    await page.getByRole('button', { name: 'Check the public URL' }).click();
    await page.getByRole('status').getByText(`${server.url}/health answered (HTTP 200)`).waitFor();
    await expectCleanPage();
  });

  it('shows the database in use and how to switch', async () => {
    await nextStep('Database');
    await page.getByText('SQLite (embedded: one file, one server)').waitFor();
    await page.getByText('The database answers.').waitFor();
    await page.getByRole('heading', { name: 'Switching to PostgreSQL' }).waitFor();
    await expectCleanPage();
  });

  it('creates the first agent and shows its token once', async () => {
    await nextStep('First agent');
    await page.getByLabel('Name').fill('Wizard bot');
    await page.getByRole('button', { name: 'Create the agent' }).click();
    const token = await page.getByTestId('secret-Agent token').textContent();
    expect(token).toMatch(/^aoc_/);
    expect((await restCall<{ name: string }>(server.url, token!, 'GET', '/agent')).body.name).toBe('Wizard bot');
    await expectCleanPage();
    await page.getByRole('button', { name: 'Done', exact: true }).click();
    await page.getByText(/Setup created agent agt_/).waitFor();
  });

  it('buys the agent its number through provisioning (the demo adapter sells fictional +1 555 01xx numbers), webhooks set for it', async () => {
    await nextStep('Its number');
    await page.getByLabel('Search and buy a number').check();
    await page.getByRole('button', { name: 'Search and buy' }).click();
    const done = page.getByRole('status').getByText(/^The agent sends and receives SMS and calls on \+1555\d{7}\.$/);
    await done.waitFor();
    const phone = /(\+1555\d{7})/.exec((await done.textContent())!)![1];
    // Pointed at this server by provisioning: nothing left for the operator to set by hand.
    expect(await page.getByRole('table').count()).toBe(0);
    const status = await setupStatus();
    expect(status.steps.find((s) => s.step === 'number')?.done).toBe(true);
    const agentId = (await restCall<{ firstAgentId: string }>(server.url, ADMIN_TOKEN, 'GET', '/setup')).body.firstAgentId;
    const agents = await restCall<{ agents: Array<{ agentId: string; channels: Array<{ channel: string; address: string }> }> }>(server.url, ADMIN_TOKEN, 'GET', '/agents');
    expect(agents.body.agents.find((a) => a.agentId === agentId)?.channels.find((c) => c.channel === 'sms')?.address).toBe(phone);
    await expectCleanPage();
  });

  it('marks a wrong amount invalid and announces why, then writes the limits and compliance defaults', async () => {
    await nextStep('Limits and compliance');
    const perDay = page.getByLabel('Spending cap per day');
    await perDay.fill('lots');
    await page.getByRole('button', { name: 'Save the defaults' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^INVALID_INPUT: spendPerDay/);
    expect(await perDay.getAttribute('aria-invalid')).toBe('true');
    expect(await perDay.getAttribute('aria-describedby')).toContain('defaults-problem');
    await expectCleanPage([400]);

    await perDay.fill('25');
    await page.getByLabel(/Quiet hours/).check();
    await page.getByLabel('Window starts').fill('09:00');
    await page.getByRole('button', { name: 'Save the defaults' }).click();
    await page.getByText(/Written to .*setup\.yaml/).waitFor();
    const { body } = await restCall<{ defaults: unknown }>(server.url, ADMIN_TOKEN, 'GET', '/setup');
    expect(body.defaults).toEqual({ tier: 'standard', currency: 'USD', spendPerDay: '25', spendPerMonth: '500', quietHours: { enabled: true, start: '09:00', end: '21:00' } });
    await expectCleanPage();
  });

  it('sends the test message, follows it to delivered, and the demo contact replies', async () => {
    await nextStep('Test message');
    await page.getByRole('button', { name: 'Send the test message' }).click();
    await page.getByText('Arrived: the provider reports it delivered.').waitFor();
    expect(await page.getByTestId('test-message-status').textContent()).toBe('delivered');
    await page.getByText(/The demo contact replied: the agent received message \S+ \(received\)/).waitFor();
    const agentId = (await restCall<{ firstAgentId: string }>(server.url, ADMIN_TOKEN, 'GET', '/setup')).body.firstAgentId;
    const inbound = await restCall<{ messages: Array<{ from: string; direction: string }> }>(server.url, ADMIN_TOKEN, 'GET', `/messages?agentId=${agentId}&direction=inbound`);
    expect(inbound.body.messages).toEqual([expect.objectContaining({ direction: 'inbound', from: '+15550100199' })]);
    // The wizard shows the status, never the bodies.
    const html = await page.content();
    expect(html).not.toContain('setup works');
    expect(html).not.toContain('demo reply');
    await expectCleanPage();
  });

  it('marks setup done: every step is done', async () => {
    await nextStep('Complete');
    await page.getByText('Every step is done.').waitFor();
    await page.getByRole('button', { name: 'Mark setup done' }).click();
    await page.getByText(/Setup was marked done at/).first().waitFor();
    const status = await setupStatus();
    expect(status.done).toBe(true);
    expect(status.steps.every((s) => s.done)).toBe(true);
    await expectCleanPage();
  });
});
