import type { CallLogRecord } from '../../ports/records.js';

/**
 * Storage keys of the files a call holds: the voice message's audio, and any key a later feature keeps
 * in the call's metadata under a name ending in `Key` (recordings). Erasure deletes them all.
 */
export function callFileKeys(call: CallLogRecord): string[] {
  const keys = call.audioKey ? [call.audioKey] : [];
  for (const [name, value] of Object.entries(call.metadata)) {
    if (name.endsWith('Key') && typeof value === 'string' && value !== '') keys.push(value);
  }
  return [...new Set(keys)];
}
