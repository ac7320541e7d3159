import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioSimulator } from '../simulators/twilio/twilio-simulator.js';
import { browserMissing } from '../support/browser.js';
import { openConsole, type ConsoleSession } from '../support/console-session.js';
import { restCall } from '../support/server-process.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';

const skipReason = browserMissing();

/**
 * Agent management in the console against a server whose numbers come from the Twilio simulator: edit an agent,
 * provision it (a number bought at the "provider", its webhooks pointed here), then deprovision it through the
 * confirmation dialog that names the number it releases.
 */
describe.skipIf(skipReason !== null)(`Console agent management: provision and deprovision${skipReason ? ` (${skipReason})` : ''}`, { timeout: 300_000 }, () => {
  const twilio = new TwilioSimulator({ ownedNumbers: ['+15550100011'], callbackDelayMs: 1 });
  let server: TestServer;
  let browser: ConsoleSession;
  let agent: { agentId: string; token: string };
  let number = '';

  beforeAll(async () => {
    await twilio.start();
    server = await startTestServer({ telephony: { use: 'twilio', options: { accountSid: twilio.accountSid, authToken: twilio.authToken, baseUrl: twilio.baseUrl, timeoutMs: 3000 } } });
    agent = await server.createAgent({ name: 'Sales bot' });
    browser = await openConsole(server.url);
    await browser.logIn(ADMIN_TOKEN);
    await browser.open('Agents');
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await twilio.stop();
  });

  it('keeps what the operator typed in the edit form when the page redraws (as its polling does), and saves it', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Edit Sales bot' }).click();
    await page.locator('#edit-name').fill('Sales team bot');
    // Opening another panel redraws the agent list and the edit form with it.
    await page.getByRole('button', { name: 'Provision Sales bot', exact: true }).click();
    await page.getByRole('heading', { name: 'Provision channels for Sales bot' }).waitFor();
    await page.getByRole('button', { name: 'Save channels' }).click();
    await page.locator('tr[data-agent="Sales team bot"]').waitFor();
    expect((await restCall<{ name: string }>(server.url, agent.token, 'GET', '/agent')).body.name).toBe('Sales team bot');
    await browser.expectClean();
  });

  it('provisions the agent: a retry after a provider failure resumes the same run, one number bought, shown in the list', async () => {
    const { page } = browser;
    await page.getByRole('heading', { name: 'Provision channels for Sales team bot' }).waitFor();
    twilio.phoneNumbers.failNextWebhookUpdate();
    await page.getByRole('button', { name: 'Provision channels' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('PROVIDER_UNAVAILABLE');
    // The one error the page may log: the browser reports the refused request.
    expect(browser.problems.errors.splice(0)).toEqual([expect.stringMatching(/^Failed to load resource: the server responded with a status of 5\d\d/)]);
    expect(twilio.phoneNumbers.purchases).toHaveLength(1);

    await page.getByRole('button', { name: 'Provision channels' }).click();
    const result = page.getByRole('status').filter({ hasText: 'Provisioned' });
    await result.waitFor();
    number = twilio.phoneNumbers.purchases[0]!.phoneNumber;
    expect(twilio.phoneNumbers.purchases).toHaveLength(1);
    expect(await result.textContent()).toContain(`Number ${number} (bought at the provider)`);
    expect(twilio.phoneNumbers.byNumber(number)?.smsUrl).toBe(`${server.url}/webhooks/${agent.agentId}/sms`);
    const row = page.locator('tr[data-agent="Sales team bot"]');
    await expect.poll(() => row.textContent()).toContain(`sms ${number}`);
    await browser.expectClean();
  });

  it('deprovisions only after a dialog that names the number it gives back; the agent is disabled and its token revoked', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Deprovision Sales team bot' }).click();
    const dialog = page.getByRole('dialog', { name: 'Deprovision Sales team bot?' });
    await dialog.getByTestId('deprovision-numbers').waitFor();
    expect(await dialog.getByTestId('deprovision-numbers').textContent()).toBe(number);
    await browser.expectClean();

    await dialog.getByRole('button', { name: `Release ${number} and disable Sales team bot` }).click();
    await dialog.getByText(`${number}: back in the spare pool`).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = page.locator('tr[data-agent="Sales team bot"]');
    await expect.poll(() => row.textContent()).toContain('disabled');
    expect(await row.textContent()).not.toContain(number);
    // Back in the pool: still the account's, its webhooks no longer the agent's.
    expect(twilio.phoneNumbers.byNumber(number)?.smsUrl).toBe(`${server.url}/webhooks/sms`);
    expect((await restCall(server.url, agent.token, 'GET', '/agent')).status).toBe(401);
    expect(twilio.specViolations).toEqual([]);
    await browser.expectClean();
  });

  it('cancelling the dialog releases nothing', async () => {
    const { page } = browser;
    const other = await server.createAgent({ name: 'Kept bot' });
    await page.reload();
    await page.locator('tr[data-agent="Kept bot"]').waitFor();
    await page.getByRole('button', { name: 'Deprovision Kept bot' }).click();
    const dialog = page.getByRole('dialog', { name: 'Deprovision Kept bot?' });
    await dialog.getByText('It holds no provisioned number.').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await restCall(server.url, other.token, 'GET', '/agent')).status).toBe(200);
    await browser.expectClean();
  });
});
