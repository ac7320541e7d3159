import { DomainError } from '../ports/errors.js';

/** Opaque keyset cursor: the (createdAt, id) of the last row of a page (messages, calls). */
export function encodeCursor(m: { createdAt: Date; id: string }): string {
  return btoa(JSON.stringify([m.createdAt.getTime(), m.id])).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const json = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    const parsed: unknown = JSON.parse(json);
    if (Array.isArray(parsed) && parsed.length === 2 && Number.isFinite(parsed[0]) && typeof parsed[1] === 'string') {
      return { createdAt: new Date(parsed[0] as number), id: parsed[1] };
    }
  } catch {
    // fall through to the coded error below
  }
  throw new DomainError('INVALID_INPUT', 'cursor is not valid.', 'Pass the nextCursor of a previous page unchanged, or leave it out.', { field: 'cursor' });
}
