import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing } from '../support/browser.js';
import { openConsole, type ConsoleSession } from '../support/console-session.js';
import { restCall } from '../support/server-process.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';

const skipReason = browserMissing();

interface Tenant { customerId: string; adminToken: string }
interface Created { agentId: string; token: string }

/**
 * The console with a customer admin token: the dashboard and the agent list show that customer's agents and
 * their traffic only, and nothing the server keeps for the operator is asked for (no refused request). The
 * operator's token, in the same browser, sees every customer's agents.
 */
describe.skipIf(skipReason !== null)(`Console for a customer admin${skipReason ? ` (${skipReason})` : ''}`, { timeout: 300_000 }, () => {
  let server: TestServer;
  let browser: ConsoleSession;
  let tenant: Tenant;
  const messageIds: Record<'alpha' | 'beta' | 'operator', string> = { alpha: '', beta: '', operator: '' };

  const customerAgent = async (customerId: string, name: string, phone: string) =>
    (await server.app.runner.run('comms_create_agent', { kind: 'customer', customerId }, { name, phone })) as Created;
  const send = async (agent: Created, to: string) => {
    const sent = await restCall<{ messageId: string }>(server.url, agent.token, 'POST', '/messages', { channel: 'sms', to, body: 'hello' });
    expect(sent.status).toBe(201);
    return sent.body.messageId;
  };

  beforeAll(async () => {
    server = await startTestServer();
    tenant = (await server.app.runner.run('comms_create_customer', { kind: 'admin' }, { name: 'Alpha Ltd' })) as Tenant;
    const other = (await server.app.runner.run('comms_create_customer', { kind: 'admin' }, { name: 'Beta Ltd' })) as Tenant;
    messageIds.alpha = await send(await customerAgent(tenant.customerId, 'Alpha bot', '+15550100041'), '+15550100181');
    messageIds.beta = await send(await customerAgent(other.customerId, 'Beta bot', '+15550100042'), '+15550100182');
    messageIds.operator = await send(await server.createAgent({ name: 'Operator bot', phone: '+15550100043' }), '+15550100183');
    browser = await openConsole(server.url);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('a customer admin sees only its agents and their messages on the dashboard, masked, without reveal', async () => {
    const { page } = browser;
    await browser.logIn(tenant.adminToken);
    await page.locator(`tr[data-message-id="${messageIds.alpha}"]`).waitFor();
    await page.getByRole('cell', { name: 'Alpha bot' }).first().waitFor();
    const text = await page.locator('main').innerText();
    expect(text).toContain('Alpha bot');
    expect(text).not.toMatch(/Beta bot|Operator bot/);
    expect(await page.locator('tr[data-message-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-message-id')))).toEqual([messageIds.alpha]);
    expect(await page.locator(`tr[data-message-id="${messageIds.alpha}"]`).textContent()).toContain('+1555•••••81');
    expect(await page.getByRole('button', { name: /Reveal/ }).count()).toBe(0);
    // What only the operator sees is left out, not refused: no outbox, no alerts, no chain verification, no scenarios.
    expect(await page.getByRole('heading', { name: 'Callback outbox' }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Recent alerts' }).count()).toBe(0);
    expect(await page.getByTestId('audit-verify').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Scenarios' }).count()).toBe(0);
    await page.getByRole('cell', { name: 'agent.create' }).first().waitFor();
    await browser.expectClean();
  });

  it('a customer admin\'s agent list holds only its agents, without the operator\'s provisioning', async () => {
    const { page } = browser;
    await browser.open('Agents');
    await page.locator('tr[data-agent="Alpha bot"]').waitFor();
    expect(await page.locator('tr[data-agent]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-agent')))).toEqual(['Alpha bot']);
    expect(await page.getByRole('button', { name: /Provision|Deprovision/ }).count()).toBe(0);
    await page.getByRole('button', { name: 'Edit Alpha bot' }).waitFor();
    await browser.expectClean();
  });

  it('the operator\'s token, in the same tab after logging out, sees every customer\'s agents and messages', async () => {
    const { page } = browser;
    await browser.logOut();
    expect(await page.evaluate('Object.values(sessionStorage)')).toEqual([]);
    await browser.logIn(ADMIN_TOKEN);
    for (const id of Object.values(messageIds)) await page.locator(`tr[data-message-id="${id}"]`).waitFor();
    await page.getByRole('cell', { name: 'Beta bot' }).first().waitFor();
    const text = await page.locator('main').innerText();
    for (const name of ['Alpha bot', 'Beta bot', 'Operator bot']) expect(text).toContain(name);
    await page.getByTestId('audit-verify').waitFor();
    await page.getByRole('heading', { name: 'Callback outbox' }).waitFor();
    await browser.open('Agents');
    await page.locator('tr[data-agent="Operator bot"]').waitFor();
    expect((await page.locator('tr[data-agent]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-agent')))).sort()).toEqual(['Alpha bot', 'Beta bot', 'Operator bot']);
    await page.getByRole('button', { name: 'Provision Alpha bot', exact: true }).waitFor();
    await browser.expectClean();
  });
});
