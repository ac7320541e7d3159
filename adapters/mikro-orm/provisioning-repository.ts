import { DomainError } from '../../ports/errors.js';
import type {
  ProvisionedNumberRecord, ProvisioningOperationRecord, ProvisioningRepository, ProvisioningStep,
} from '../../ports/provisioning.js';
import { jsonArray, member, nullableText, nullableTime, text, timeParam } from './row-values.js';
import type { SqlCodec, SqlExecutor, SqlParam, SqlRow } from './sql-executor.js';

const NUMBER_COLUMNS = 'id, provider, country, phone_number, provider_ref, state, agent_id, operation_id, created_at, updated_at';
const INSERT_NUMBER = `INSERT INTO phone_numbers (${NUMBER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (phone_number) DO NOTHING RETURNING id`;
const SELECT_NUMBER = `SELECT ${NUMBER_COLUMNS} FROM phone_numbers WHERE id = ?`;
const SELECT_AGENT_NUMBERS = `SELECT ${NUMBER_COLUMNS} FROM phone_numbers WHERE agent_id = ? ORDER BY created_at, id`;
const SELECT_STALE = `SELECT ${NUMBER_COLUMNS} FROM phone_numbers WHERE state = ? AND updated_at < ? ORDER BY updated_at, id LIMIT ?`;
const COUNT_SPARES = "SELECT COUNT(*) AS n FROM phone_numbers WHERE provider = ? AND country = ? AND state = 'owned' AND agent_id IS NULL";
// The inner SELECT picks the oldest spare; the outer `agent_id IS NULL` makes two takers race for it safely
// (PostgreSQL re-checks it on the locked row: the loser changes nothing and tries again).
const TAKE_SPARE =
  `UPDATE phone_numbers SET agent_id = ?, operation_id = ?, updated_at = ? WHERE id = (SELECT id FROM phone_numbers WHERE provider = ? AND country = ? ` +
  `AND state = 'owned' AND agent_id IS NULL ORDER BY updated_at, id LIMIT 1) AND agent_id IS NULL RETURNING ${NUMBER_COLUMNS}`;
const DELETE_NUMBER = 'DELETE FROM phone_numbers WHERE id = ?';

const OPERATION_COLUMNS = 'id, agent_id, kind, idempotency_key, request_hash, status, steps, result, error_code, lease_until, created_at, updated_at';
const INSERT_OPERATION =
  `INSERT INTO provisioning_operations (${OPERATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ` +
  'ON CONFLICT (agent_id, kind, idempotency_key) DO NOTHING RETURNING id';
const SELECT_OPERATION_BY_KEY = `SELECT ${OPERATION_COLUMNS} FROM provisioning_operations WHERE agent_id = ? AND kind = ? AND idempotency_key = ?`;
const CLAIM_OPERATION =
  "UPDATE provisioning_operations SET status = 'running', lease_until = ?, updated_at = ? WHERE id = ? AND status <> 'completed' AND (lease_until IS NULL OR lease_until < ?)";
const RECORD_STEPS = 'UPDATE provisioning_operations SET steps = ?, updated_at = ? WHERE id = ?';
const FINISH_OPERATION = 'UPDATE provisioning_operations SET status = ?, result = ?, error_code = ?, lease_until = NULL, updated_at = ? WHERE id = ?';

function toNumber(row: SqlRow, codec: SqlCodec): ProvisionedNumberRecord {
  return {
    id: text(row, 'id'),
    provider: text(row, 'provider'),
    country: text(row, 'country'),
    phoneNumber: text(row, 'phone_number'),
    providerRef: nullableText(row, 'provider_ref'),
    state: member(row, 'state'),
    agentId: nullableText(row, 'agent_id'),
    operationId: nullableText(row, 'operation_id'),
    createdAt: codec.readTime(row.created_at),
    updatedAt: codec.readTime(row.updated_at),
  };
}

function toOperation(row: SqlRow, codec: SqlCodec): ProvisioningOperationRecord {
  const result = row.result === null || row.result === undefined ? null : codec.readJson(row.result);
  return {
    id: text(row, 'id'),
    agentId: text(row, 'agent_id'),
    kind: member(row, 'kind'),
    idempotencyKey: text(row, 'idempotency_key'),
    requestHash: text(row, 'request_hash'),
    status: member(row, 'status'),
    steps: jsonArray(row, 'steps', codec) as ProvisioningStep[],
    result: result as Record<string, unknown> | null,
    errorCode: nullableText(row, 'error_code'),
    leaseUntil: nullableTime(row, 'lease_until', codec),
    createdAt: codec.readTime(row.created_at),
    updatedAt: codec.readTime(row.updated_at),
  };
}

const PATCHABLE = { state: 'state', providerRef: 'provider_ref', agentId: 'agent_id', operationId: 'operation_id' } as const;

export class SqlProvisioningRepository implements ProvisioningRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async insertNumber(record: ProvisionedNumberRecord): Promise<void> {
    const { codec } = this.sql;
    const params = [
      record.id, record.provider, record.country, record.phoneNumber, record.providerRef, record.state, record.agentId, record.operationId,
      codec.time(record.createdAt), codec.time(record.updatedAt),
    ];
    const inserted = await this.sql.run(async (session) => (await session.rows(INSERT_NUMBER, params)).length > 0);
    if (!inserted) {
      throw new DomainError('CONFLICT', 'This phone number is already recorded.', 'Look it up with comms_get_channel_status.', { numberId: record.id });
    }
  }

  async findNumber(id: string): Promise<ProvisionedNumberRecord | null> {
    const [found] = await this.numbers(SELECT_NUMBER, [id]);
    return found ?? null;
  }

  listAgentNumbers(agentId: string): Promise<ProvisionedNumberRecord[]> {
    return this.numbers(SELECT_AGENT_NUMBERS, [agentId]);
  }

  listStale(state: ProvisionedNumberRecord['state'], updatedBefore: Date, limit: number): Promise<ProvisionedNumberRecord[]> {
    return this.numbers(SELECT_STALE, [state, this.sql.codec.time(updatedBefore), limit]);
  }

  async countSpares(provider: string, country: string): Promise<number> {
    const [row] = await this.sql.read((session) => session.rows(COUNT_SPARES, [provider, country]));
    return Number(row?.n ?? 0);
  }

  async takeSpare(provider: string, country: string, agentId: string, operationId: string, at: Date): Promise<ProvisionedNumberRecord | null> {
    const params = [agentId, operationId, this.sql.codec.time(at), provider, country];
    const [taken] = await this.sql.run(async (session) => session.rows(TAKE_SPARE, params));
    return taken ? toNumber(taken, this.sql.codec) : null;
  }

  async updateNumber(id: string, patch: Partial<Pick<ProvisionedNumberRecord, 'state' | 'providerRef' | 'agentId' | 'operationId'>> & { updatedAt: Date }): Promise<void> {
    const sets: string[] = ['updated_at = ?'];
    const params: SqlParam[] = [this.sql.codec.time(patch.updatedAt)];
    for (const [key, column] of Object.entries(PATCHABLE) as Array<[keyof typeof PATCHABLE, string]>) {
      if (patch[key] === undefined) continue;
      sets.push(`${column} = ?`);
      params.push(patch[key]);
    }
    params.push(id);
    await this.sql.run((session) => session.run(`UPDATE phone_numbers SET ${sets.join(', ')} WHERE id = ?`, params));
  }

  async deleteNumber(id: string): Promise<void> {
    await this.sql.run((session) => session.run(DELETE_NUMBER, [id]));
  }

  async startOperation(record: ProvisioningOperationRecord): Promise<{ created: boolean; operation: ProvisioningOperationRecord }> {
    const { codec } = this.sql;
    const params = [
      record.id, record.agentId, record.kind, record.idempotencyKey, record.requestHash, record.status, codec.json(record.steps),
      record.result === null ? null : codec.json(record.result), record.errorCode, timeParam(record.leaseUntil, codec),
      codec.time(record.createdAt), codec.time(record.updatedAt),
    ];
    return this.sql.run(async (session) => {
      const created = (await session.rows(INSERT_OPERATION, params)).length > 0;
      const [row] = await session.rows(SELECT_OPERATION_BY_KEY, [record.agentId, record.kind, record.idempotencyKey]);
      if (!row) throw new Error('provisioning operation vanished after insert');
      return { created, operation: toOperation(row, codec) };
    });
  }

  async claimOperation(id: string, now: Date, leaseUntil: Date): Promise<boolean> {
    const { codec } = this.sql;
    return (await this.sql.run((session) => session.run(CLAIM_OPERATION, [codec.time(leaseUntil), codec.time(now), id, codec.time(now)]))) > 0;
  }

  async recordSteps(id: string, steps: ProvisioningStep[], updatedAt: Date): Promise<void> {
    await this.sql.run((session) => session.run(RECORD_STEPS, [this.sql.codec.json(steps), this.sql.codec.time(updatedAt), id]));
  }

  async finishOperation(id: string, patch: Pick<ProvisioningOperationRecord, 'status' | 'result' | 'errorCode' | 'updatedAt'>): Promise<void> {
    const { codec } = this.sql;
    const params = [patch.status, patch.result === null ? null : codec.json(patch.result), patch.errorCode, codec.time(patch.updatedAt), id];
    await this.sql.run((session) => session.run(FINISH_OPERATION, params));
  }

  private numbers(sql: string, params: SqlParam[]): Promise<ProvisionedNumberRecord[]> {
    return this.sql.run(async (session) => (await session.rows(sql, params)).map((row) => toNumber(row, this.sql.codec)));
  }
}
