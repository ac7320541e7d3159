/**
 * Regenerates the admin console screenshots in docs/images/ (`npm run screenshots`): a real server in demo
 * mode with a little traffic, the console in Debian's Chromium at a fixed window size; last the setup wizard,
 * walked in demo mode to its test message.
 */
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/support/cli.js';
import { ensureConsoleBuilt, launchChromium } from '../test/support/browser.js';
import { restCall } from '../test/support/server-process.js';
import { ADMIN_TOKEN, startTestServer } from '../test/support/test-server.js';

const OUT = join(REPO_ROOT, 'docs', 'images');

async function seed(url: string): Promise<void> {
  const agents = [
    await restCall<{ agentId: string; token: string }>(url, ADMIN_TOKEN, 'POST', '/agents', { name: 'Support bot', phone: '+15550100041', email: 'support@example.com' }),
    await restCall<{ agentId: string; token: string }>(url, ADMIN_TOKEN, 'POST', '/agents', { name: 'Billing bot', phone: '+15550100042' }),
  ].map((r) => r.body);
  for (const [i, agent] of agents.entries()) {
    for (let n = 0; n < 3 + i * 2; n++) {
      await restCall(url, agent.token, 'POST', '/messages', { channel: 'sms', to: `+1555010015${n}`, body: `Your order ${n} has shipped.` });
    }
    await restCall(url, ADMIN_TOKEN, 'POST', '/demo/inbound', { agentId: agent.agentId, channel: 'sms', from: '+15550100150', body: 'Thanks!' });
  }
  await restCall(url, agents[0]!.token, 'POST', '/messages', { channel: 'email', to: 'customer@example.com', subject: 'Receipt', body: 'Your receipt.' });
}

/** The setup wizard: its first step, then walked in demo mode to a delivered test message and the demo reply. */
async function screenshotSetupWizard(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Setup' }).click();
  await page.getByRole('heading', { name: 'Step 1 of 8: Providers' }).waitFor();
  // Twilio chosen for the picture: the credential fields its adapter asks for.
  await page.getByLabel('SMS and voice (telephony) provider').selectOption('twilio');
  await page.screenshot({ path: join(OUT, 'console-setup-providers.png'), fullPage: true });
  await page.getByLabel('SMS and voice (telephony) provider').selectOption('mock');
  await page.getByRole('button', { name: 'Use the demo adapter for telephony' }).click();
  await page.getByText('telephony: demo adapter chosen').waitFor();
  await page.getByRole('button', { name: /^First agent/ }).click();
  await page.getByRole('button', { name: 'Create the agent' }).click();
  await page.getByRole('button', { name: 'Done', exact: true }).click();
  await page.getByRole('button', { name: /^Its number/ }).click();
  await page.getByRole('button', { name: 'Give the agent this number' }).click();
  await page.getByText(/The agent sends and receives SMS/).waitFor();
  await page.getByRole('button', { name: /^Test message/ }).click();
  await page.getByRole('button', { name: 'Send the test message' }).click();
  await page.getByText(/The demo contact replied/).waitFor();
  await page.screenshot({ path: join(OUT, 'console-setup-test-message.png'), fullPage: true });
}

async function main(): Promise<void> {
  await ensureConsoleBuilt();
  mkdirSync(OUT, { recursive: true });
  const server = await startTestServer({ extra: { email: { use: 'mock' } } });
  const browser = await launchChromium();
  try {
    await seed(server.url);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.url}/admin`);
    await page.getByLabel('Admin token').waitFor();
    await page.screenshot({ path: join(OUT, 'console-login.png') });
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText(/Chain verified/).waitFor();
    await page.getByTestId('recent-messages').waitFor();
    await page.screenshot({ path: join(OUT, 'console-dashboard.png'), fullPage: true });
    await page.getByRole('link', { name: 'Agents' }).click();
    await page.getByText('Billing bot').first().waitFor();
    await page.screenshot({ path: join(OUT, 'console-agents.png') });
    await screenshotSetupWizard(page);
    console.log(`screenshots written to ${OUT}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
