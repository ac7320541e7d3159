import { DomainError } from '../../ports/errors.js';

/** S3's own limit, and short enough for any filesystem path below the storage folder. */
export const MAX_KEY_BYTES = 1024;
/** The longest file name of common filesystems (ext4, APFS, NTFS). */
const MAX_SEGMENT_BYTES = 255;
/** The presigned-URL limit of S3 (7 days); a local signed URL has no reason to outlive it. */
export const MAX_SIGNED_URL_SECONDS = 604_800;

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const MIME_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(\s*;\s*[^;\s=]+=[^;]*)*$/;

function invalidKey(reason: string): DomainError {
  return new DomainError(
    'INVALID_INPUT',
    `Invalid storage key: ${reason}.`,
    'Use a relative path of non-empty segments separated by "/", such as audio/2026/abc.mp3 (no "..", ".", leading "/", backslash or control characters).',
    { reason },
  );
}

/**
 * Keys are relative paths of safe segments (`audio/2026/abc.mp3`), the same rules for every storage
 * adapter so that a key valid on one backend is valid on all of them.
 */
export function checkStorageKey(key: unknown): string {
  if (typeof key !== 'string' || key === '') throw invalidKey('empty');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw invalidKey(`longer than ${MAX_KEY_BYTES} bytes`);
  if (key.startsWith('/')) throw invalidKey('absolute path');
  if (key.includes('\\')) throw invalidKey('backslash');
  if (CONTROL_CHARACTERS.test(key)) throw invalidKey('control character');
  for (const segment of key.split('/')) {
    if (segment === '') throw invalidKey('empty path segment');
    if (segment === '.' || segment === '..') throw invalidKey(`"${segment}" segment`);
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) throw invalidKey(`segment longer than ${MAX_SEGMENT_BYTES} bytes`);
  }
  return key;
}

export function checkExpiresIn(seconds: unknown): number {
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1 || seconds > MAX_SIGNED_URL_SECONDS) {
    throw new DomainError(
      'INVALID_INPUT',
      `A signed URL must live a whole number of seconds between 1 and ${MAX_SIGNED_URL_SECONDS} (7 days).`,
      'Pass expiresInSeconds as an integer in that range.',
      { expiresInSeconds: typeof seconds === 'number' ? seconds : null },
    );
  }
  return seconds;
}

export function checkContentType(contentType: unknown): string {
  if (typeof contentType !== 'string' || contentType.length > 255 || CONTROL_CHARACTERS.test(contentType) || !MIME_TYPE.test(contentType.trim())) {
    throw new DomainError('INVALID_INPUT', 'Invalid content type.', 'Give a media type such as audio/mpeg or text/plain; charset=utf-8.', {});
  }
  return contentType.trim();
}
