import type { AuditDraft, AuditEntry, AuditRepository, AuditValue } from '../../ports/audit.js';
import type { Secrets } from '../../ports/runtime.js';

/** Bumped if the canonical form ever changes, so old entries still verify under the form they were sealed with. */
const FORM = 1;
const GENESIS = '0'.repeat(64);
const PAGE = 500;

const sorted = (values: Record<string, AuditValue>): Array<[string, AuditValue]> =>
  Object.entries(values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * The canonical content of an entry: a JSON array in a fixed order (target ids sorted by key), so the
 * same entry always gives the same bytes whichever database stored it and however it returned the JSON.
 */
export function canonicalContent(seq: number, draft: AuditDraft): string {
  return JSON.stringify([
    FORM, seq, draft.id, draft.at.toISOString(), draft.actorKind, draft.actorId, draft.action, draft.agentId,
    sorted(draft.targets), draft.outcome, draft.requestId,
  ]);
}

/** SHA-256 (hex) over the previous entry's hash and this entry's canonical content. */
export function entryHash(secrets: Secrets, seq: number, prevHash: string, draft: AuditDraft): string {
  return secrets.hash(`${prevHash}\n${canonicalContent(seq, draft)}`);
}

export type ChainBreak =
  /** The entry's content or hash was changed: its stored hash is not the hash of what it says. */
  | 'content-changed'
  /** The entry does not follow the one before it: an entry was deleted, inserted or moved. */
  | 'link-broken';

export interface ChainReport {
  valid: boolean;
  /** Entries checked (all of them when valid; up to and including the broken one otherwise). */
  checked: number;
  /** The last entry's seq and hash when valid, so an operator can note the head and spot a later truncation. */
  head: { seq: number; hash: string } | null;
  firstBreak: { seq: number; id: string; problem: ChainBreak; expectedPrevHash: string } | null;
}

/** Walks the whole chain in order and reports the first entry that does not check out. */
export async function verifyChain(audit: AuditRepository, secrets: Secrets): Promise<ChainReport> {
  let previous: { seq: number; hash: string } = { seq: 0, hash: GENESIS };
  let checked = 0;
  for (;;) {
    const page: AuditEntry[] = await audit.chain(previous.seq, PAGE);
    for (const entry of page) {
      checked++;
      const problem: ChainBreak | null =
        entry.seq !== previous.seq + 1 || entry.prevHash !== previous.hash ? 'link-broken'
          : entry.hash !== entryHash(secrets, entry.seq, entry.prevHash, entry) ? 'content-changed'
            : null;
      if (problem) {
        return { valid: false, checked, head: null, firstBreak: { seq: entry.seq, id: entry.id, problem, expectedPrevHash: previous.hash } };
      }
      previous = { seq: entry.seq, hash: entry.hash };
    }
    if (page.length < PAGE) break;
  }
  return { valid: true, checked, head: previous.seq === 0 ? null : previous, firstBreak: null };
}
