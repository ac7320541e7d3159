import type { IncomingMessage } from 'node:http';
import { DomainError } from '../../ports/errors.js';

/**
 * Reads the whole body as text, refusing more than `limit` bytes with BODY_TOO_LARGE (the socket is not read
 * further; the host then closes the connection, whose rest of body it never read).
 */
export async function readRawBody(req: IncomingMessage, limit: number): Promise<string> {
  return (await readRawBytes(req, limit)).toString('utf8');
}

/** Reads the whole body's bytes, refusing more than `limit` (the socket is not read further). */
export async function readRawBytes(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  // A declared size within the limit cannot be exceeded (Node's parser stops at it), so the body is read from the
  // stream's events: the async iterator below costs an iterator, a promise per chunk and end-of-stream tracking,
  // a measurable share of a small webhook's CPU. Chunked bodies keep the iterator and its running limit check.
  if (Number.isFinite(declared)) return readDeclared(req);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function readDeclared(req: IncomingMessage): Promise<Buffer> {
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  if (req.destroyed) return Promise.reject(prematureClose());
  // Already whole (a small body comes in the packet of its headers, and the parser has reached its declared end):
  // taken from the stream's buffer at once, without four listeners on and off and a promise of its own.
  if (req.complete && req.readableFlowing === null) return Promise.resolve((req.read() as Buffer | null) ?? Buffer.alloc(0));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer) => void chunks.push(chunk);
    const settle = (error: Error | null) => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (error) reject(error);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    const onEnd = () => settle(null);
    const onError = (error: Error) => settle(error);
    // Closed before its end: the client hung up mid-body (as the iterator reports it, a premature close).
    const onClose = () => settle(prematureClose());
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

function prematureClose(): Error {
  return Object.assign(new Error('The request was closed before its body ended.'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

function tooLarge(limit: number): DomainError {
  return new DomainError('BODY_TOO_LARGE', `Request body exceeds ${limit} bytes.`, 'Send a smaller request.', { limit });
}

const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

/**
 * Whether a Content-Type header names a form (any parameters after `;`, any case). Asked on every webhook: Koa's
 * `ctx.is` (type-is) parses the header into a media type object and matches it against a pattern, a measurable
 * share of a small webhook's CPU. A header type-is would find malformed, but whose type is a form's, is read as a
 * form here: the signature is then checked over what it holds, as over any other.
 */
export function isFormBody(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const end = contentType.indexOf(';');
  return (end === -1 ? contentType : contentType.slice(0, end)).trim().toLowerCase() === FORM_MEDIA_TYPE;
}

/**
 * `application/x-www-form-urlencoded` to fields; a repeated key becomes an array, as providers send lists. More than
 * `maxFields` fields are refused before any is decoded: counting separators is cheap, decoding and checking a
 * signature over each is not.
 */
export function parseForm(raw: string, maxFields: number): Record<string, string | string[]> {
  let count = 1;
  for (let at = raw.indexOf('&'); at !== -1; at = raw.indexOf('&', at + 1)) {
    if (++count > maxFields) {
      throw new DomainError('BODY_TOO_LARGE', `The form has more than ${maxFields} fields.`, 'Send fewer fields; provider webhooks never carry this many.', { maxFields });
    }
  }
  const fields: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    const existing = fields[key];
    if (existing === undefined) fields[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else fields[key] = [existing, value];
  }
  return fields;
}

export function parseJson(raw: string): unknown {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new DomainError('INVALID_INPUT', 'The request body is not valid JSON.', 'Send a JSON body with Content-Type: application/json.');
  }
}
