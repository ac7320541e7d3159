import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDomainError, type ErrorCode } from '../ports/errors.js';
import type { StoragePort } from '../ports/storage.js';

export interface FetchedUrl {
  status: number;
  bytes: Uint8Array;
  /** The Content-Type header, or null. */
  contentType: string | null;
}

/** How the suite reaches the far side of the adapter. */
export interface StorageHarness {
  /** GETs a URL from `signedUrl` the way a provider would (for local storage: through the HTTP host's route). */
  fetch(url: string): Promise<FetchedUrl>;
  /**
   * Moves the clock the adapter checks expiry against forward by `seconds`. Absent when expiry is checked by
   * a server with its own clock (S3): the suite then waits in real time.
   */
  advanceClock?(seconds: number): void;
}

export interface StorageContractOptions {
  name: string;
  /** A fresh adapter over an empty store for each test. */
  factory: () => Promise<{ port: StoragePort; harness: StorageHarness }>;
  /** Runs after each test, once the port is closed. */
  teardown?: () => Promise<void>;
}

/** Keys every adapter must refuse with INVALID_INPUT: escapes, absolute paths, empty or dot segments, control characters. */
export const INVALID_STORAGE_KEYS: readonly string[] = [
  '', '/abs.mp3', '..', '../up.mp3', 'a/../../b.mp3', 'a/..', './a.mp3', 'a/./b.mp3', 'a\\b.mp3', 'nul\0byte.mp3',
  'line\nbreak.mp3', 'a//b.mp3', 'trailing/',
];

async function failureCode(promise: Promise<unknown>): Promise<ErrorCode | 'NO_ERROR' | 'NOT_A_DOMAIN_ERROR'> {
  try {
    await promise;
    return 'NO_ERROR';
  } catch (err) {
    return isDomainError(err) ? err.code : 'NOT_A_DOMAIN_ERROR';
  }
}

/** Deterministic pseudo-random bytes (xorshift32): large binary payloads without a seed in the test. */
function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i += 1) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out[i] = state & 0xff;
  }
  return out;
}

const text = (value: string) => new TextEncoder().encode(value);

/**
 * The published behaviour of the `storage` port. Call it from a vitest file with a factory that builds
 * the adapter over an empty store, and a harness that fetches signed URLs the way a provider would.
 */
export function describeStorageContract(options: StorageContractOptions): void {
  describe(`StoragePort contract: ${options.name}`, () => {
    let port: StoragePort;
    let harness: StorageHarness;

    beforeEach(async () => {
      ({ port, harness } = await options.factory());
    });

    afterEach(async () => {
      await port?.close?.();
      await options.teardown?.();
    });

    async function expire(seconds: number): Promise<void> {
      if (harness.advanceClock) harness.advanceClock(seconds + 1);
      else await new Promise((resolve) => setTimeout(resolve, (seconds + 1.2) * 1000));
    }

    it('stores bytes and gives them back exactly, with their content type', async () => {
      const bytes = text('Hello, storage! ✓');
      const stored = await port.put('notes/hello.txt', bytes, 'text/plain; charset=utf-8');
      expect(stored).toEqual({ key: 'notes/hello.txt', size: bytes.length, contentType: 'text/plain; charset=utf-8' });
      const got = await port.get('notes/hello.txt');
      expect(got?.contentType).toBe('text/plain; charset=utf-8');
      expect(Buffer.from(got?.bytes ?? [])).toEqual(Buffer.from(bytes));
    });

    it('keeps binary data byte for byte: every byte value, a megabyte of noise, and nothing at all', async () => {
      const allValues = Uint8Array.from({ length: 512 }, (_, i) => i % 256);
      const noise = pseudoRandomBytes(1024 * 1024 + 3, 42);
      await port.put('bin/all-values.raw', allValues, 'application/octet-stream');
      await port.put('bin/noise.mp3', noise, 'audio/mpeg');
      await port.put('bin/empty.raw', new Uint8Array(0), 'application/octet-stream');
      expect(Buffer.from((await port.get('bin/all-values.raw'))?.bytes ?? [])).toEqual(Buffer.from(allValues));
      const gotNoise = await port.get('bin/noise.mp3');
      expect(gotNoise?.bytes.length).toBe(noise.length);
      expect(Buffer.compare(Buffer.from(gotNoise?.bytes ?? []), Buffer.from(noise))).toBe(0);
      expect(gotNoise?.contentType).toBe('audio/mpeg');
      expect((await port.get('bin/empty.raw'))?.bytes.length).toBe(0);
    });

    it('replaces an object put again under the same key, content type included', async () => {
      await port.put('audio/greeting', text('first'), 'audio/wav');
      await port.put('audio/greeting', text('second version'), 'audio/mpeg');
      const got = await port.get('audio/greeting');
      expect(Buffer.from(got?.bytes ?? []).toString()).toBe('second version');
      expect(got?.contentType).toBe('audio/mpeg');
    });

    it('keeps objects under different keys apart, unicode and spaces included', async () => {
      const keys = ['dir/x.bin', 'dir/y.bin', 'dir2/x.bin', 'x.bin', 'voice notes/héllo wörld ☎.mp3'];
      for (const key of keys) await port.put(key, text(`content of ${key}`), 'application/octet-stream');
      for (const key of keys) expect(Buffer.from((await port.get(key))?.bytes ?? []).toString()).toBe(`content of ${key}`);
    });

    it('answers null for a missing object, deletes, and deleting twice is fine', async () => {
      expect(await port.get('missing/nothing.mp3')).toBeNull();
      await port.put('gone/soon.mp3', text('bye'), 'audio/mpeg');
      await port.delete('gone/soon.mp3');
      expect(await port.get('gone/soon.mp3')).toBeNull();
      await expect(port.delete('gone/soon.mp3')).resolves.toBeUndefined();
      await expect(port.delete('never/was.mp3')).resolves.toBeUndefined();
    });

    it('refuses unsafe keys with INVALID_INPUT in every operation', async () => {
      for (const key of INVALID_STORAGE_KEYS) {
        const label = JSON.stringify(key);
        expect([label, await failureCode(port.put(key, text('x'), 'text/plain'))]).toEqual([label, 'INVALID_INPUT']);
        expect([label, await failureCode(port.get(key))]).toEqual([label, 'INVALID_INPUT']);
        expect([label, await failureCode(port.delete(key))]).toEqual([label, 'INVALID_INPUT']);
        expect([label, await failureCode(port.signedUrl(key, 60))]).toEqual([label, 'INVALID_INPUT']);
      }
    });

    it('refuses a signed URL lifetime that is not a positive whole number of seconds', async () => {
      await port.put('a/b.mp3', text('x'), 'audio/mpeg');
      for (const seconds of [0, -5, 1.5, Number.NaN]) expect(await failureCode(port.signedUrl('a/b.mp3', seconds))).toBe('INVALID_INPUT');
    });

    it('gives a signed URL that serves the exact bytes and content type', async () => {
      const bytes = pseudoRandomBytes(70_000, 7);
      await port.put('audio/2026/call.mp3', bytes, 'audio/mpeg');
      const url = await port.signedUrl('audio/2026/call.mp3', 300);
      expect(url).toMatch(/^https?:\/\//);
      const fetched = await harness.fetch(url);
      expect(fetched.status).toBe(200);
      expect(fetched.contentType).toBe('audio/mpeg');
      expect(Buffer.compare(Buffer.from(fetched.bytes), Buffer.from(bytes))).toBe(0);
      const unicode = 'voice notes/héllo wörld ☎.wav';
      await port.put(unicode, text('wav bytes'), 'audio/wav');
      const unicodeFetch = await harness.fetch(await port.signedUrl(unicode, 300));
      expect([unicodeFetch.status, Buffer.from(unicodeFetch.bytes).toString()]).toEqual([200, 'wav bytes']);
    });

    it('gives signed URLs that serve nothing for missing or deleted objects', async () => {
      expect((await harness.fetch(await port.signedUrl('missing/nothing.mp3', 300))).status).not.toBe(200);
      await port.put('gone/soon.mp3', text('bye'), 'audio/mpeg');
      const url = await port.signedUrl('gone/soon.mp3', 300);
      await port.delete('gone/soon.mp3');
      expect((await harness.fetch(url)).status).not.toBe(200);
    });

    it('refuses a signed URL whose key was swapped for another', async () => {
      await port.put('secret/a.mp3', text('A'), 'audio/mpeg');
      await port.put('secret/b.mp3', text('B'), 'audio/mpeg');
      const url = await port.signedUrl('secret/a.mp3', 300);
      const swapped = url.replace('secret/a.mp3', 'secret/b.mp3');
      // Adapters whose URLs do not show the key (opaque ids) cannot be tampered with this way.
      if (swapped === url) return;
      const fetched = await harness.fetch(swapped);
      expect(fetched.status).not.toBe(200);
      expect(Buffer.from(fetched.bytes).toString()).not.toBe('B');
    });

    it('stops serving a signed URL once it has expired', async () => {
      await port.put('short/lived.mp3', text('now you hear me'), 'audio/mpeg');
      const url = await port.signedUrl('short/lived.mp3', 1);
      expect((await harness.fetch(url)).status).toBe(200);
      await expire(1);
      const late = await harness.fetch(url);
      expect(late.status).not.toBe(200);
      expect(Buffer.from(late.bytes).toString()).not.toBe('now you hear me');
    });
  });
}
