import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import helmet from 'koa-helmet';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../hosts/http/hardening/content-security-policy.js';
import { securityHeaders } from '../../hosts/http/hardening/security-headers.js';

const OPTIONS = { contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy() }, crossOriginEmbedderPolicy: false };

/** The headers a one-middleware Koa app answers with (the date, which moves, left out). */
async function headersOf(middleware: Koa.Middleware): Promise<Record<string, string>> {
  const koa = new Koa();
  koa.use(middleware);
  koa.use((ctx) => {
    ctx.body = { ok: true };
  });
  const server = koa.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await res.text();
    const headers = Object.fromEntries(res.headers);
    delete headers.date;
    return headers;
  } finally {
    server.close();
  }
}

describe('security headers', () => {
  it('are exactly the ones helmet sets with the same options, in the same answer', async () => {
    const replayed = await headersOf(await securityHeaders(OPTIONS));
    expect(replayed).toEqual(await headersOf(helmet(OPTIONS)));
    expect(replayed['content-security-policy']).toContain("default-src 'none'");
    expect(replayed['x-content-type-options']).toBe('nosniff');
  });
});
