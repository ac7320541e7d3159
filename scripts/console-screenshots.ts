/**
 * Regenerates the admin console screenshots in docs/images/ (`npm run screenshots`): a real server in demo
 * mode with a little traffic, the console in Debian's Chromium at a fixed window size.
 */
import { mkdirSync } from 'node:fs';
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
    console.log(`screenshots written to ${OUT}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
