import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import s3Plugin from '../../adapters/s3/plugin.js';
import type { S3StorageOptions } from '../../adapters/s3/s3-options.js';
import { describeStorageContract } from '../../contracts/storage.js';
import type { PluginContext, ProviderEventSink } from '../../ports/plugin.js';
import type { Logger } from '../../ports/runtime.js';
import type { CredentialCheck } from '../../ports/credential-check.js';
import type { StoragePort } from '../../ports/storage.js';

/** The part of s3rver (untyped CommonJS) these tests use. */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: {
  address: string; port: number; silent: boolean; directory: string; configureBuckets: { name: string }[];
}) => S3rverInstance;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;

const BUCKET = 'comms-test';
/** s3rver's built-in account. */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger };
/** Ignores every provider event, whatever methods the sink grows. */
const silentEvents = new Proxy({}, { get: () => () => undefined }) as ProviderEventSink;

const rfc3986 = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/**
 * True when a presigned (query-authenticated) request carries a valid AWS Signature V4. s3rver checks the
 * access key and the expiry of such URLs but not the signature itself, which real S3 does.
 */
function hasValidPresignedSignature(req: IncomingMessage, secrets: Record<string, string>): boolean {
  const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
  const query = new URL(req.url ?? '/', 'http://x').searchParams;
  const [accessKeyId, ...scopeParts] = (query.get('X-Amz-Credential') ?? '').split('/');
  const secret = secrets[accessKeyId ?? ''];
  const signature = query.get('X-Amz-Signature');
  if (!secret || !signature || scopeParts.length !== 4 || query.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return false;
  const canonicalQuery = [...query.entries()].filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => `${rfc3986(name)}=${rfc3986(value)}`).sort().join('&');
  const signedHeaders = (query.get('X-Amz-SignedHeaders') ?? '').split(';');
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${String(req.headers[name] ?? '').trim()}\n`).join('');
  const canonicalRequest = [req.method, rawPath, canonicalQuery, canonicalHeaders, signedHeaders.join(';'), 'UNSIGNED-PAYLOAD'].join('\n');
  const scope = scopeParts.join('/');
  const stringToSign = ['AWS4-HMAC-SHA256', query.get('X-Amz-Date') ?? '', scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const [date = '', region = '', service = ''] = scopeParts;
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  return hmac(signingKey, stringToSign).toString('hex') === signature;
}

/** s3rver behind a proxy that refuses presigned URLs with a wrong signature, as S3 does. */
function signatureCheckingProxy(target: () => number): Server {
  return createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://x').searchParams.has('X-Amz-Algorithm') && !hasValidPresignedSignature(req, { [CREDENTIALS.accessKeyId]: CREDENTIALS.secretAccessKey })) {
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message></Error>');
      return;
    }
    const upstream = httpRequest({ host: '127.0.0.1', port: target(), method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${target()}` } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
}

const directory = mkdtempSync(join(tmpdir(), 's3rver-'));
const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: BUCKET }] });
let s3rverPort = 0;
const proxy = signatureCheckingProxy(() => s3rverPort);
let endpoint = '';

beforeAll(async () => {
  s3rverPort = (await s3rver.run()).port;
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
  await s3rver.close();
  rmSync(directory, { recursive: true, force: true });
});

let counter = 0;
function pluginContext(now: () => Date = () => new Date()): PluginContext {
  return {
    logger: silentLogger,
    clock: { now },
    ids: { next: (prefix) => `${prefix}_${(counter += 1)}` },
    publicBaseUrl: 'http://127.0.0.1:1',
    configDir: '/nonexistent-config',
    dataDir: '/nonexistent-data',
    events: silentEvents,
  };
}

function create(options: Partial<S3StorageOptions> = {}, ctx = pluginContext()): Promise<StoragePort> {
  return s3Plugin.create({ bucket: BUCKET, endpoint, region: 'us-east-1', forcePathStyle: true, ...CREDENTIALS, ...options }, ctx);
}

async function fetchUrl(url: string) {
  const response = await fetch(url);
  return { status: response.status, bytes: new Uint8Array(await response.arrayBuffer()), contentType: response.headers.get('content-type') };
}

async function failure(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

let run = 0;
describeStorageContract({
  name: 's3 (against s3rver)',
  async factory() {
    // A fresh prefix per test is an empty store without restarting the server.
    run += 1;
    return { port: await create({ prefix: `contract-${run}/` }), harness: { fetch: fetchUrl } };
  },
});

describe('s3 storage adapter', () => {
  it('is the plugin "s3" of the storage port, with secretAccessKey as a secret', () => {
    expect(s3Plugin).toMatchObject({ apiVersion: 1, port: 'storage', id: 's3', secrets: ['secretAccessKey'] });
  });

  it('stores the plain bytes under the prefix (no aws-chunked framing, thanks to WHEN_REQUIRED checksums)', async () => {
    const port = await create({ prefix: 'plain/' });
    const bytes = new TextEncoder().encode('exactly these bytes');
    await port.put('audio/x.mp3', bytes, 'audio/mpeg');
    const onDisk = join(directory, BUCKET, 'plain', 'audio', 'x.mp3._S3rver_object');
    expect(existsSync(onDisk)).toBe(true);
    expect(readFileSync(onDisk).toString()).toBe('exactly these bytes');
    await port.close?.();
  });

  it('gives presigned URLs that S3 refuses once expired (signed with the adapter clock)', async () => {
    const port = await create({ prefix: 'expiry/' }, pluginContext(() => new Date(Date.now() - 3_600_000)));
    await port.put('old.mp3', new Uint8Array([1, 2, 3]), 'audio/mpeg');
    const url = await port.signedUrl('old.mp3', 60);
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('60');
    const fetched = await fetchUrl(url);
    expect(fetched.status).toBe(403);
    expect(Buffer.from(fetched.bytes).toString()).toContain('Request has expired');
    await port.close?.();
  });

  it('refuses a presigned URL whose signature was altered', async () => {
    const port = await create({ prefix: 'tamper/' });
    await port.put('x.mp3', new Uint8Array([1]), 'audio/mpeg');
    const url = new URL(await port.signedUrl('x.mp3', 60));
    const signature = url.searchParams.get('X-Amz-Signature') ?? '';
    url.searchParams.set('X-Amz-Signature', `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`);
    expect((await fetchUrl(url.toString())).status).toBe(403);
    await port.close?.();
  });

  it('maps refused credentials to PROVIDER_AUTH_FAILED and a missing bucket to PROVIDER_REJECTED', async () => {
    // s3rver checks the access key id (not SigV4 header signatures), so the refusal is of an unknown key.
    const wrongSecret = await create({ accessKeyId: 'NOT-A-KEY' });
    expect(await failure(wrongSecret.put('a.txt', new Uint8Array([1]), 'text/plain'))).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', details: { providerCode: 'InvalidAccessKeyId' } });
    const noBucket = await create({ bucket: 'no-such-bucket' });
    expect(await failure(noBucket.put('a.txt', new Uint8Array([1]), 'text/plain'))).toMatchObject({ code: 'PROVIDER_REJECTED', details: { providerCode: 'NoSuchBucket' } });
    await Promise.all([wrongSecret.close?.(), noBucket.close?.()]);
  });

  it('checks its credentials with HeadBucket, storing nothing; an unknown key, a missing bucket or no service fails coded', async () => {
    const check = async (options: Partial<S3StorageOptions> = {}) => {
      const port = await create(options);
      try {
        return await (port as StoragePort & CredentialCheck).checkCredentials();
      } finally {
        await port.close?.();
      }
    };
    expect(await check()).toBe(`bucket ${BUCKET} reachable with these credentials`);
    expect(await failure(check({ accessKeyId: 'NOT-A-KEY' }))).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', details: { providerStatus: 403 } });
    expect(await failure(check({ bucket: 'no-such-bucket' }))).toMatchObject({ code: 'PROVIDER_REJECTED', details: { providerCode: 'NoSuchBucket' } });
    expect(await failure(check({ endpoint: 'http://127.0.0.1:9' }))).toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
  });

  it('maps an unreachable endpoint to PROVIDER_UNAVAILABLE and a hung one to PROVIDER_TIMEOUT', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port: deadPort } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = await create({ endpoint: `http://127.0.0.1:${deadPort}` });
    expect(await failure(unreachable.get('a.txt'))).toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });

    const hung = createServer(() => undefined);
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const slow = await create({ endpoint: `http://127.0.0.1:${(hung.address() as AddressInfo).port}`, timeoutMs: 300 });
    expect(await failure(slow.get('a.txt'))).toMatchObject({ code: 'PROVIDER_TIMEOUT' });
    hung.closeAllConnections();
    await new Promise<void>((resolve) => hung.close(() => resolve()));
    await Promise.all([unreachable.close?.(), slow.close?.()]);
  });
});
