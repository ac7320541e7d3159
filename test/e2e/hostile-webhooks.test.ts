import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FORM_FIELDS } from '../../core/webhook-admission.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** What a flooding attacker sends: 9 MB, a million fields. */
const HUGE_FORM = Buffer.from(Array.from({ length: 1_000_000 }, (_, i) => `f${i}=xxx`).join('&'));
const FORM = 'application/x-www-form-urlencoded';

interface Answer { status: number; code: string | undefined }

/**
 * POSTs `body` and resolves with the answer as soon as it comes: the server may answer and close the connection
 * before the body is even sent, so errors of the upload after the answer are expected.
 */
function post(url: string, headers: Record<string, string>, body: Buffer, options: { chunked?: boolean } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(url, { method: 'POST', headers }, (res) => {
      answered = true;
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, code: text.startsWith('{') ? (JSON.parse(text) as { error?: { code?: string } }).error?.code : undefined }));
      res.on('error', () => undefined);
    });
    req.on('error', (err) => (answered ? undefined : reject(err)));
    if (options.chunked) {
      // No Content-Length: the size shows only while reading.
      for (let at = 0; at < body.length; at += 64 * 1024) req.write(body.subarray(at, at + 64 * 1024));
      req.end();
    } else req.end(body);
  });
}

describe('unauthenticated webhook bodies are refused before they cost anything', () => {
  let server: TestServer;
  let smsUrl: string;
  beforeAll(async () => {
    server = await startTestServer();
    const { agentId } = await server.createAgent({ name: 'target', phone: '+15550100141' });
    smsUrl = `${server.url}/webhooks/${agentId}/sms`;
  });
  afterAll(() => server.close());

  it('a 9 MB form with a million fields and a forged signature: 413 from its declared size, unread', async () => {
    expect(await post(smsUrl, { 'content-type': FORM, 'x-mock-signature': 'forged' }, HUGE_FORM)).toEqual({ status: 413, code: 'BODY_TOO_LARGE' });
  });

  it('the same form sent chunked (no declared size): 413 once the provider\'s largest body is passed', async () => {
    expect(await post(smsUrl, { 'content-type': FORM, 'x-mock-signature': 'forged' }, HUGE_FORM, { chunked: true })).toEqual({ status: 413, code: 'BODY_TOO_LARGE' });
  });

  it('a form within the size but with more fields than any provider sends: 413 before it is parsed or verified', async () => {
    const manyFields = Buffer.from(Array.from({ length: MAX_FORM_FIELDS + 1 }, (_, i) => `f${i}=x`).join('&'));
    expect(await post(smsUrl, { 'content-type': FORM, 'x-mock-signature': 'forged' }, manyFields)).toEqual({ status: 413, code: 'BODY_TOO_LARGE' });
  });

  it('refuses by the head alone: unknown agent 404, no signature header 403, a media type the provider never sends 400', async () => {
    const unknownAgent = `${server.url}/webhooks/agt_does_not_exist/sms`;
    expect(await post(unknownAgent, { 'content-type': FORM, 'x-mock-signature': 'forged' }, HUGE_FORM)).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(await post(smsUrl, { 'content-type': FORM }, HUGE_FORM)).toEqual({ status: 403, code: 'INVALID_SIGNATURE' });
    expect(await post(smsUrl, { 'content-type': 'text/plain', 'x-mock-signature': 'forged' }, HUGE_FORM)).toEqual({ status: 400, code: 'INVALID_INPUT' });
  });

  it('/health answers every poll throughout bursts of eight such forms', async () => {
    let bursting = true;
    const health: number[] = [];
    const poll = (async () => {
      while (bursting) health.push((await fetch(`${server.url}/health`)).status);
    })();
    const refusals: Answer[] = [];
    for (let round = 0; round < 3; round++) {
      refusals.push(...await Promise.all(Array.from({ length: 8 }, (_, i) =>
        post(smsUrl, { 'content-type': FORM, 'x-mock-signature': 'forged' }, HUGE_FORM, { chunked: i % 2 === 1 }))));
    }
    bursting = false;
    await poll;
    expect(refusals.map((r) => r.status)).toEqual(Array(24).fill(413));
    expect(health.length).toBeGreaterThan(0);
    expect(health.every((status) => status === 200)).toBe(true);
  });
});
