import type { CallLogRecord } from '../../ports/records.js';

/** Storage keys in call metadata: any string under a property named `key` or ending in `Key`, at any depth (a recording's `{ key }`). */
function keysIn(value: unknown, name = ''): string[] {
  if (typeof value === 'string') return (name === 'key' || name.endsWith('Key')) && value !== '' ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((v) => keysIn(v));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => keysIn(v, k));
  return [];
}

/** Storage keys of the files a call holds: the voice message's audio and, in its metadata, its recording. Erasure deletes them all. */
export function callFileKeys(call: CallLogRecord): string[] {
  return [...new Set([...(call.audioKey ? [call.audioKey] : []), ...keysIn(call.metadata)])];
}
