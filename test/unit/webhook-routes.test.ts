import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookRoutes, type WebhookHandler } from '../../hosts/http/webhook-routes.js';

/** A handler answering which route it is and the agent id it was given. */
const answering = (route: string): WebhookHandler => async (ctx) => {
  ctx.body = { route, agentId: (ctx as typeof ctx & { params: { agentId?: string } }).params.agentId ?? null };
};

let server: Server;
let base: string;

beforeAll(async () => {
  const koa = new Koa();
  koa.use(webhookRoutes(
    new Map([['sms', answering('shared sms')], ['sms/status', answering('shared sms/status')]]),
    new Map([['sms', answering('agent sms')], ['sms/status', answering('agent sms/status')], ['voice', answering('agent voice')]]),
  ));
  koa.use((ctx) => {
    ctx.status = 404;
    ctx.body = 'next';
  });
  server = koa.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function call(method: string, path: string): Promise<{ status: number; body: string; allow: string | null }> {
  const res = await fetch(base + path, { method });
  return { status: res.status, body: await res.text(), allow: res.headers.get('allow') };
}

describe('webhook routes', () => {
  it('sends a provider\'s POST to its route, a shared path before an agent\'s', async () => {
    const routed = {
      '/webhooks/sms': { route: 'shared sms', agentId: null },
      '/webhooks/sms/status': { route: 'shared sms/status', agentId: null },
      '/webhooks/agt_01abc-Z/sms': { route: 'agent sms', agentId: 'agt_01abc-Z' },
      '/webhooks/agt_1/sms/status': { route: 'agent sms/status', agentId: 'agt_1' },
      '/webhooks/sms/voice': { route: 'agent voice', agentId: 'sms' },
    };
    for (const [path, expected] of Object.entries(routed)) {
      const { status, body } = await call('POST', path);
      expect({ path, status, body: JSON.parse(body) as unknown }).toEqual({ path, status: 200, body: expected });
    }
  });

  it('reads the path forms only the router knows as the router does: a decoded id, a trailing slash, another case', async () => {
    expect(JSON.parse((await call('POST', '/webhooks/agt%5F1/sms')).body)).toEqual({ route: 'agent sms', agentId: 'agt_1' });
    expect(JSON.parse((await call('POST', '/webhooks/agt_1/sms/')).body)).toEqual({ route: 'agent sms', agentId: 'agt_1' });
    expect(JSON.parse((await call('POST', '/webhooks/agt_1/SMS')).body)).toEqual({ route: 'agent sms', agentId: 'agt_1' });
  });

  it('answers another method on a route 405 with Allow, and passes unknown paths on', async () => {
    expect(await call('GET', '/webhooks/agt_1/sms')).toMatchObject({ status: 405, allow: 'POST' });
    expect(await call('POST', '/webhooks/agt_1/fax')).toMatchObject({ status: 404, body: 'next' });
    expect(await call('POST', '/webhooks/agt_1')).toMatchObject({ status: 404, body: 'next' });
    expect(await call('POST', '/other')).toMatchObject({ status: 404, body: 'next' });
  });
});
