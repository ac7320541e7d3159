import { createHook, executionAsyncResource } from 'node:async_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signMockWebhook } from '../../adapters/mock/mock-webhook-signature.js';
import { onSqliteAndPostgres } from '../support/each-database.js';
import { callOk, connectHttpClient } from '../support/mcp-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * True while async hooks track promises. With them on (an AsyncLocalStorage entered once, on Node 20, or any
 * createHook), a promise reaction runs with its promise as the current async resource; with them off it runs
 * with whatever resource was current, never the promise.
 */
function promiseHooksOn(): Promise<boolean> {
  const reaction: Promise<boolean> = Promise.resolve().then(() => executionAsyncResource() === reaction);
  return reaction;
}

/**
 * Async hooks on every promise cost a send a few per cent of its CPU, and garbage: the server enters no
 * AsyncLocalStorage (request ids go to log lines through a logger per request), nor lets a library leave one on.
 */
onSqliteAndPostgres((label, db) => describe(`no async hooks on promises in a serving process (${label})`, () => {
  let server: TestServer;
  beforeAll(async () => {
    expect(await promiseHooksOn()).toBe(false);
    server = await startTestServer({ db: db(), extra: { email: { use: 'mock' } } });
  });
  afterAll(() => server?.close());

  it('stays without them through migrations, MCP and REST sends, webhooks and their logs', async () => {
    const agent = await server.createAgent({ name: 'Hookless', phone: '+15550100191', email: 'hookless@example.com' });
    const client = await connectHttpClient(server.url, agent.token);
    try {
      await callOk(client, 'comms_send_message', { channel: 'sms', to: '+15550100192', body: 'hello' });
      await callOk(client, 'comms_send_message', { channel: 'email', to: 'person@example.com', subject: 'Hi', text: 'hello' });
    } finally {
      await client.close();
    }
    const rest = await fetch(`${server.url}/api/v1/messages`, {
      method: 'POST', headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'sms', to: '+15550100192', body: 'hello again' }),
    });
    expect(rest.status).toBe(201);
    const url = `${server.url}/webhooks/${agent.agentId}/sms`;
    const body = new URLSearchParams({ MessageSid: 'MOCKHOOKLESS1', From: '+15550100192', To: '+15550100191', Body: 'reply' }).toString();
    const signed = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-mock-signature': signMockWebhook('demo-secret', url, body) }, body });
    expect(signed.status).toBe(200);
    const forged = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-mock-signature': 'f'.repeat(64) }, body });
    expect(forged.status).toBe(403);
    expect(await promiseHooksOn()).toBe(false);
  });

  it('the check sees hooks when one is on', async () => {
    // createHook, not a store: from Node 24 an AsyncLocalStorage no longer needs promise hooks.
    const hook = createHook({ init: () => undefined }).enable();
    expect(await promiseHooksOn()).toBe(true);
    hook.disable();
    expect(await promiseHooksOn()).toBe(false);
  });
}));
