/**
 * PostgreSQL: the status changes of concurrent messages written together. Every send writes its status
 * two or three times (accepted by the provider, then each delivery report), each a round trip of its own;
 * under load most of them wait for a pooled connection anyway. Here a change goes out at once when no
 * batch is in flight, and the changes that arrive meanwhile go out together in one statement when it
 * returns (group commit, as the SQLite executor does for every write). Each caller still resolves only
 * once its own change is committed, with whether it applied, so the crash promises are those of a single
 * UPDATE. A batch holds each message once (a later change of the same message waits for the next batch,
 * keeping their order); when a batch fails (a provider id another message holds, a deadlock with another
 * process), its changes are written one by one so each caller gets its own answer.
 */
import type { MessageStatus } from '../../ports/records.js';
import type { StatusChange } from '../../ports/repositories.js';
import { GroupBatch } from './group-batch.js';
import type { SqlCodec, SqlExecutor } from './sql-executor.js';

/** Which optional fields a change sets (a field left undefined keeps its stored value). */
const SETS = { errorCode: 1, errorMessage: 2, providerMessageId: 4, provider: 8, metadata: 16 } as const;

/** Changes written in one statement at most. */
const MAX_BATCH = 200;

// One statement text for every batch (prepared once per connection): the changes travel as one JSON array.
// `f` says which optional fields a change sets. `id` is compared in the column's own collation (C).
const UPDATE_BATCH =
  'UPDATE messages AS m SET status = v.status, updated_at = v.updated_at, ' +
  'error_code = CASE WHEN v.f & 1 <> 0 THEN v.error_code ELSE m.error_code END, ' +
  'error_message = CASE WHEN v.f & 2 <> 0 THEN v.error_message ELSE m.error_message END, ' +
  'provider_message_id = CASE WHEN v.f & 4 <> 0 THEN v.provider_message_id ELSE m.provider_message_id END, ' +
  'provider = CASE WHEN v.f & 8 <> 0 THEN v.provider ELSE m.provider END, ' +
  'metadata = CASE WHEN v.f & 16 <> 0 THEN v.metadata ELSE m.metadata END ' +
  'FROM jsonb_to_recordset(?::jsonb) AS v(id text, status text, updated_at timestamptz, only_from text[], f integer, ' +
  'error_code text, error_message text, provider_message_id text, provider text, metadata jsonb) ' +
  'WHERE m.id = v.id COLLATE "C" AND m.status = ANY (v.only_from) RETURNING m.id';

export type SingleChange = (id: string, change: StatusChange, onlyFrom: readonly MessageStatus[]) => Promise<boolean>;

interface Change {
  id: string;
  change: StatusChange;
  onlyFrom: readonly MessageStatus[];
}

export class StatusBatcher {
  private readonly batch: GroupBatch<Change, boolean>;

  /** `single`: the one-row UPDATE, for a batch of one and for each change of a batch that failed. */
  constructor(private readonly sql: SqlExecutor, private readonly codec: SqlCodec, single: SingleChange) {
    this.batch = new GroupBatch<Change, boolean>({
      writeBatch: (changes) => this.writeBatch(changes),
      writeAlone: (c) => single(c.id, c.change, c.onlyFrom),
      key: (c) => c.id,
    }, { concurrency: 1, maxBatch: MAX_BATCH });
  }

  change(id: string, change: StatusChange, onlyFrom: readonly MessageStatus[]): Promise<boolean> {
    return this.batch.add({ id, change, onlyFrom });
  }

  private async writeBatch(changes: readonly Change[]): Promise<boolean[]> {
    const rows = await this.sql.run((session) => session.rows(UPDATE_BATCH, [this.codec.json(changes.map((c) => this.row(c)))]));
    const applied = new Set(rows.map((row) => String(row.id)));
    return changes.map((c) => applied.has(c.id));
  }

  private row(p: Change): Record<string, unknown> {
    const c = p.change;
    let f = 0;
    for (const [field, bit] of Object.entries(SETS)) if (c[field as keyof typeof SETS] !== undefined) f |= bit;
    return {
      id: p.id, status: c.status, updated_at: this.codec.time(c.updatedAt), only_from: p.onlyFrom, f,
      error_code: c.errorCode ?? null, error_message: c.errorMessage ?? null, provider_message_id: c.providerMessageId ?? null,
      provider: c.provider ?? null, metadata: c.metadata ?? null,
    };
  }
}
