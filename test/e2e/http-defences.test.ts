import { createHash } from 'node:crypto';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventLoopDelay } from '../../hosts/http/hardening/event-loop-delay.js';
import { eventually } from '../support/callback-receiver.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';

const security = (settings: Record<string, unknown>) => ({ extra: { security: settings } });

describe('HTTP listener defences', () => {
  let server: TestServer;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await server?.close();
  });

  const port = () => Number(new URL(server.url).port);

  /** A slowloris client: connects, sends part of the headers, then one more header line now and then. */
  function slowClient(): { socket: Socket; closed: Promise<void> } {
    const socket = connect(port(), '127.0.0.1');
    sockets.push(socket);
    socket.on('error', () => {});
    socket.write('GET /api/v1/agent HTTP/1.1\r\nHost: example.com\r\n');
    const drip = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 200);
    const closed = new Promise<void>((resolve) => socket.on('close', () => {
      clearInterval(drip);
      resolve();
    }));
    return { socket, closed };
  }

  it('keeps answering health checks while slow clients flood it, and drops them at the headers deadline', async () => {
    server = await startTestServer(security({ timeouts: { headersMs: 1000 } }));
    const slow = Array.from({ length: 100 }, () => slowClient());
    for (let i = 0; i < 5; i++) {
      const health = await fetch(`${server.url}/health`);
      expect(health.status).toBe(200);
    }
    expect((await fetch(`${server.url}/health/ready`)).status).toBe(200);
    // Each slow client is cut off by the server itself (it never finishes its headers).
    await Promise.all(slow.map((client) => client.closed));
    expect(slow.every((client) => client.socket.destroyed)).toBe(true);
  });

  it('caps concurrent connections', async () => {
    server = await startTestServer(security({ maxConnections: 3 }));
    const idle = Array.from({ length: 3 }, () => connect(port(), '127.0.0.1'));
    sockets.push(...idle);
    await Promise.all(idle.map((socket) => new Promise((resolve) => socket.once('connect', resolve))));
    const fourth = connect(port(), '127.0.0.1');
    sockets.push(fourth);
    fourth.on('error', () => {});
    // The server drops the connection over the cap at once, without reading from it.
    await new Promise<void>((resolve) => fourth.once('close', () => resolve()));
    idle[0]!.destroy();
    expect((await eventually(async () => (await fetch(`${server.url}/health`).catch(() => null))?.status)).valueOf()).toBe(200);
  });

  it('sheds new requests with 503 and Retry-After while the event loop lags, health checks still answering', async () => {
    let delayMs = 0;
    const eventLoopDelay: EventLoopDelay = { currentMs: () => delayMs, close: () => {} };
    server = await startTestServer({ ...security({ loadShedding: { eventLoopDelayMs: 100, retryAfterSeconds: 7 } }), eventLoopDelay });
    const agent = await server.createAgent({ name: 'shed', phone: '+15550100061' });
    const call = () => fetch(`${server.url}/api/v1/agent`, { headers: { authorization: `Bearer ${agent.token}` } });
    delayMs = 100;
    expect((await call()).status).toBe(200);
    delayMs = 101;
    const shed = await call();
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('7');
    expect(await shed.json()).toMatchObject({ error: { code: 'SERVER_OVERLOADED', details: { reason: 'event-loop-delay' } } });
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await fetch(`${server.url}/health/ready`)).status).toBe(200);
    delayMs = 5;
    expect((await call()).status).toBe(200);
  });

  it('caps requests in flight', async () => {
    server = await startTestServer(security({ maxInFlight: 1 }));
    // A webhook whose body never finishes holds the one slot.
    const held: ClientRequest = httpRequest(`${server.url}/webhooks/sms`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '100' } });
    held.on('error', () => {});
    held.write('From=%2B1555');
    const refused = await eventually(async () => {
      const response = await fetch(`${server.url}/openapi.json`);
      return response.status === 503 ? response : undefined;
    });
    expect(await refused.json()).toMatchObject({ error: { code: 'SERVER_OVERLOADED', details: { reason: 'in-flight' } } });
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    held.destroy();
    await eventually(async () => ((await fetch(`${server.url}/openapi.json`)).status === 200 ? true : undefined));
  });

  it('filters admin, metrics and webhook routes by client address, behind a trusted proxy only by the forwarded one', async () => {
    server = await startTestServer(security({
      trustedProxies: ['127.0.0.1', '::1'],
      ipFilters: { admin: { allow: ['10.0.0.0/8'] }, metrics: { allow: ['10.0.0.0/8'] }, webhooks: { deny: ['192.0.2.0/24'] } },
    }));
    const agent = await server.createAgent({ name: 'filtered', phone: '+15550100062' });
    const from = (ip: string, path: string, token?: string, method = 'GET') =>
      fetch(`${server.url}${path}`, { method, headers: { 'x-forwarded-for': ip, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
    const adminRoute = await from('203.0.113.1', '/api/v1/agents', ADMIN_TOKEN);
    expect(adminRoute.status).toBe(403);
    expect(await adminRoute.json()).toMatchObject({ error: { code: 'IP_NOT_ALLOWED', details: { group: 'admin' } } });
    expect((await from('10.2.3.4', '/api/v1/agents', ADMIN_TOKEN)).status).toBe(200);
    // The admin token is held to the admin filter on agent routes too; an agent token is not.
    expect(await (await from('203.0.113.1', `/api/v1/messages?agentId=${agent.agentId}`, ADMIN_TOKEN)).json()).toMatchObject({ error: { code: 'IP_NOT_ALLOWED' } });
    expect((await from('203.0.113.1', '/api/v1/agent', agent.token)).status).toBe(200);
    expect(await (await from('203.0.113.1', '/metrics')).json()).toMatchObject({ error: { code: 'IP_NOT_ALLOWED', details: { group: 'metrics' } } });
    expect(await (await from('192.0.2.9', '/webhooks/sms', undefined, 'POST')).json()).toMatchObject({ error: { code: 'IP_NOT_ALLOWED', details: { group: 'webhooks' } } });
    // Another address reaches the webhook itself (which refuses the unsigned request on its own terms).
    expect(await (await from('198.51.100.1', '/webhooks/sms', undefined, 'POST')).json()).toMatchObject({ error: { code: 'INVALID_SIGNATURE' } });
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    server = await startTestServer(security({ ipFilters: { admin: { allow: ['10.0.0.0/8'] } } }));
    const response = await fetch(`${server.url}/api/v1/agents`, { headers: { 'x-forwarded-for': '10.2.3.4', authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.status).toBe(403);
  });

  it('answers no CORS by default, and the configured origins only', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/api/v1/agent`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    server = await startTestServer();
    expect((await preflight('https://app.example.com')).headers.get('access-control-allow-origin')).toBeNull();
    expect((await fetch(`${server.url}/health`, { headers: { origin: 'https://app.example.com' } })).headers.get('access-control-allow-origin')).toBeNull();
    await server.close();

    server = await startTestServer(security({ cors: { origins: ['https://app.example.com'] } }));
    const allowed = await preflight('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    expect((await preflight('https://evil.example.com')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends security headers and a strict CSP that still lets the HTML pages render their own style', async () => {
    server = await startTestServer();
    const { agentId } = await server.createAgent({ name: 'pages', phone: '+15550100063' });
    const page = await fetch(`${server.url}/unsubscribe/${agentId}/not-a-valid-token`);
    expect(page.headers.get('content-type')).toContain('text/html');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await page.text();
    expect(html).not.toContain('style="');
    const style = /<style>([^<]*)<\/style>/.exec(html)?.[1] ?? '';
    expect(csp).toContain(`'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect((await fetch(`${server.url}/health`)).headers.get('content-security-policy')).toContain("default-src 'none'");
  });
});
