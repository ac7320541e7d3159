import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import localStoragePlugin from '../../adapters/local-storage/plugin.js';
import type { LocalStorage } from '../../adapters/local-storage/local-storage.js';
import type { LocalStorageOptions } from '../../adapters/local-storage/local-storage-options.js';
import { describeStorageContract } from '../../contracts/storage.js';
import type { PluginContext, ProviderEventSink } from '../../ports/plugin.js';
import type { Logger } from '../../ports/runtime.js';

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger };
/** Ignores every provider event, whatever methods the sink grows. */
const silentEvents = new Proxy({}, { get: () => () => undefined }) as ProviderEventSink;
const root = mkdtempSync(join(tmpdir(), 'local-storage-contract-'));
let clockOffsetMs = 0;
let current: LocalStorage | null = null;
let server: Server;
let origin = '';

/** The host's GET /storage/* route, reduced to what it must do: decode the key, ask openSigned, answer. */
function storageRoute(): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!url.pathname.startsWith('/storage/') || !current) return void res.writeHead(404).end();
    let key: string;
    try {
      key = url.pathname.slice('/storage/'.length).split('/').map(decodeURIComponent).join('/');
    } catch {
      return void res.writeHead(400).end();
    }
    current
      .openSigned(key, { expires: url.searchParams.get('expires') ?? undefined, sig: url.searchParams.get('sig') ?? undefined })
      .then((object) => {
        if (!object) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': object.contentType, 'content-length': object.bytes.length }).end(object.bytes);
      })
      .catch(() => res.writeHead(500).end());
  });
}

beforeAll(async () => {
  server = storageRoute();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(root, { recursive: true, force: true });
});

let counter = 0;
function pluginContext(dataDir = mkdtempSync(join(root, 'data-'))): PluginContext {
  return {
    logger: silentLogger,
    clock: { now: () => new Date(Date.now() + clockOffsetMs) },
    ids: { next: (prefix) => `${prefix}_${(counter += 1)}` },
    publicBaseUrl: origin,
    configDir: join(root, 'config'),
    dataDir,
    events: silentEvents,
  };
}

async function create(options: LocalStorageOptions = {}, ctx = pluginContext()): Promise<LocalStorage> {
  current = (await localStoragePlugin.create(options, ctx)) as LocalStorage;
  return current;
}

async function fetchUrl(url: string) {
  const response = await fetch(url);
  return { status: response.status, bytes: new Uint8Array(await response.arrayBuffer()), contentType: response.headers.get('content-type') };
}

describeStorageContract({
  name: 'local (served by a stand-in of the host route)',
  async factory() {
    clockOffsetMs = 0;
    return { port: await create(), harness: { fetch: fetchUrl, advanceClock: (seconds) => { clockOffsetMs += seconds * 1000; } } };
  },
});

describe('local storage adapter', () => {
  it('is the plugin "local" of the storage port, with signingSecret as a secret', () => {
    expect(localStoragePlugin).toMatchObject({ apiVersion: 1, port: 'storage', id: 'local', secrets: ['signingSecret'] });
  });

  it('stores under <dataDir>/storage by default, or under dir resolved against the config folder', async () => {
    const ctx = pluginContext();
    const byDefault = await create({}, ctx);
    await byDefault.put('a/b.txt', new TextEncoder().encode('x'), 'text/plain');
    expect(existsSync(join(ctx.dataDir, 'storage', 'objects', 'a', 'b.txt'))).toBe(true);
    const relative = await create({ dir: '../elsewhere' }, ctx);
    await relative.put('c.txt', new TextEncoder().encode('y'), 'text/plain');
    expect(existsSync(join(root, 'elsewhere', 'objects', 'c.txt'))).toBe(true);
  });

  it('signs URLs as <publicBaseUrl>/storage/<key>?expires=<unix>&sig=<hex HMAC-SHA256>', async () => {
    clockOffsetMs = 0;
    const secret = 's'.repeat(40);
    const storage = await create({ signingSecret: secret });
    const url = new URL(await storage.signedUrl('audio/a b.mp3', 60));
    expect(`${url.origin}${url.pathname}`).toBe(`${origin}/storage/audio/a%20b.mp3`);
    const expires = Number(url.searchParams.get('expires'));
    expect(Math.abs(expires - (Math.floor(Date.now() / 1000) + 60))).toBeLessThanOrEqual(1);
    expect(url.searchParams.get('sig')).toBe(createHmac('sha256', secret).update(`audio/a b.mp3\n${expires}`).digest('hex'));
  });

  it('openSigned refuses tampered, extended, malformed and foreign signatures', async () => {
    clockOffsetMs = 0;
    const storage = await create({ signingSecret: 'k'.repeat(32) });
    await storage.put('a1', new TextEncoder().encode('A1'), 'text/plain');
    await storage.put('a', new TextEncoder().encode('A'), 'text/plain');
    const url = new URL(await storage.signedUrl('a1', 60));
    const expires = url.searchParams.get('expires') ?? '';
    const sig = url.searchParams.get('sig') ?? '';
    expect(await storage.openSigned('a1', { expires, sig })).toMatchObject({ contentType: 'text/plain' });
    const flipped = `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`;
    const refused = [
      { expires, sig: flipped },
      { expires: String(Number(expires) + 3600), sig },
      { expires, sig: sig.toUpperCase() },
      { expires, sig: sig.slice(0, 10) },
      { expires: `${expires}.5`, sig },
      { expires },
      { sig },
    ];
    for (const query of refused) expect(await storage.openSigned('a1', query)).toBeNull();
    // Without a separator "a1" + expires would read as "a" + "1<expires>": a far-future URL for another key.
    expect(await storage.openSigned('a', { expires: `1${expires}`, sig })).toBeNull();
    expect(await storage.openSigned('../a1', { expires, sig })).toBeNull();
    const other = await create({ signingSecret: 'o'.repeat(32) });
    expect(await other.openSigned('a1', { expires, sig })).toBeNull();
  });

  it('keeps signed URLs valid across a restart, with a configured signingSecret or the one kept in its folder', async () => {
    clockOffsetMs = 0;
    const ctx = pluginContext();
    const first = await create({ signingSecret: 'r'.repeat(32) }, ctx);
    await first.put('k.txt', new TextEncoder().encode('kept'), 'text/plain');
    const query = Object.fromEntries(new URL(await first.signedUrl('k.txt', 60)).searchParams);
    expect(await (await create({ signingSecret: 'r'.repeat(32) }, ctx)).openSigned('k.txt', query)).not.toBeNull();
    const keptFirst = await create({}, ctx);
    const keptQuery = Object.fromEntries(new URL(await keptFirst.signedUrl('k.txt', 60)).searchParams);
    expect(await (await create({}, ctx)).openSigned('k.txt', keptQuery)).not.toBeNull();
    expect(await (await create({}, pluginContext())).openSigned('k.txt', keptQuery)).toBeNull();
    // Two servers starting at once on one folder agree on the secret the first one made.
    const shared = pluginContext();
    const [a, b] = await Promise.all([create({}, shared), create({}, shared)]);
    await a.put('s.txt', new TextEncoder().encode('shared'), 'text/plain');
    expect(await b.openSigned('s.txt', Object.fromEntries(new URL(await a.signedUrl('s.txt', 60)).searchParams))).not.toBeNull();
  });

  it('writes atomically: concurrent puts leave one whole version and no temporary files', async () => {
    const ctx = pluginContext();
    const storage = await create({}, ctx);
    const versions = Array.from({ length: 8 }, (_, i) => new Uint8Array(200_000).fill(i + 1));
    await Promise.all(versions.map((bytes) => storage.put('race/key.bin', bytes, 'application/octet-stream')));
    const got = (await storage.get('race/key.bin'))?.bytes ?? new Uint8Array(0);
    expect(got.length).toBe(200_000);
    expect(new Set(got).size).toBe(1);
    expect(readdirSync(join(ctx.dataDir, 'storage', 'tmp'))).toEqual([]);
  });

  it('reports a key that is a folder prefix of another as CONFLICT, and refuses bad content types', async () => {
    const storage = await create();
    await storage.put('a/b', new TextEncoder().encode('x'), 'text/plain');
    await expect(storage.put('a', new TextEncoder().encode('y'), 'text/plain')).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(storage.put('a/b/c', new TextEncoder().encode('y'), 'text/plain')).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await storage.get('a/b/c')).toBeNull();
    for (const contentType of ['', 'audio', 'audio/mpeg\r\nX-Evil: 1']) {
      await expect(storage.put('ok.bin', new Uint8Array(1), contentType)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
  });
});
