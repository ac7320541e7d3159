import { DomainError } from '../../ports/errors.js';
import type { ProviderCredentialRecord, ProviderCredentialRepository, SealedSecret } from '../../ports/provider-credentials.js';
import { nullableText, text } from './row-values.js';
import type { SqlCodec, SqlExecutor, SqlRow } from './sql-executor.js';
import { isUniqueViolation } from './unique-violation.js';

const COLUMNS =
  'id, name, provider, port, owner_id, key_id, iv, ciphertext, tag, verified_detail, verified_at, created_at, updated_at';
// DO NOTHING + RETURNING tells a taken name apart without parsing driver-specific error text.
const INSERT = `INSERT INTO provider_credentials (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING id`;
const SELECT_BY_NAME = `SELECT ${COLUMNS} FROM provider_credentials WHERE name = ?`;
const SELECT_ALL = `SELECT ${COLUMNS} FROM provider_credentials ORDER BY name`;
const DELETE_BY_NAME = 'DELETE FROM provider_credentials WHERE name = ?';
// The key id in the WHERE makes re-sealing a compare-and-swap: a row another rotation already moved is left alone.
const RESEAL = 'UPDATE provider_credentials SET key_id = ?, iv = ?, ciphertext = ?, tag = ?, updated_at = ? WHERE id = ? AND key_id = ?';
const SELECT_NOT_UNDER_KEY = `SELECT ${COLUMNS} FROM provider_credentials WHERE key_id <> ? AND id > ? ORDER BY id LIMIT ?`;

function toRecord(row: SqlRow, codec: SqlCodec): ProviderCredentialRecord {
  return {
    id: text(row, 'id'),
    name: text(row, 'name'),
    provider: text(row, 'provider'),
    port: text(row, 'port'),
    ownerId: nullableText(row, 'owner_id'),
    sealed: { keyId: text(row, 'key_id'), iv: text(row, 'iv'), ciphertext: text(row, 'ciphertext'), tag: text(row, 'tag') },
    verifiedDetail: text(row, 'verified_detail'),
    verifiedAt: codec.readTime(row.verified_at),
    createdAt: codec.readTime(row.created_at),
    updatedAt: codec.readTime(row.updated_at),
  };
}

export class SqlProviderCredentialRepository implements ProviderCredentialRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async insert(record: ProviderCredentialRecord): Promise<void> {
    const { codec } = this.sql;
    const { sealed } = record;
    const params = [
      record.id, record.name, record.provider, record.port, record.ownerId, sealed.keyId, sealed.iv, sealed.ciphertext, sealed.tag,
      record.verifiedDetail, codec.time(record.verifiedAt), codec.time(record.createdAt), codec.time(record.updatedAt),
    ];
    let inserted: boolean;
    try {
      inserted = await this.sql.run(async (session) => (await session.rows(INSERT, params)).length > 0);
    } catch (err) {
      // The name conflict is answered by DO NOTHING above, so this is a reused id.
      if (isUniqueViolation(err)) throw new DomainError('CONFLICT', 'A credential set with this id is already stored.', undefined, { id: record.id });
      throw err;
    }
    if (!inserted) {
      throw new DomainError('CONFLICT', `A credential set named "${record.name}" is already registered.`,
        'Choose another name, or remove the stored set first (comms_remove_provider).', { name: record.name });
    }
  }

  async findByName(name: string): Promise<ProviderCredentialRecord | null> {
    const [record] = await this.all(SELECT_BY_NAME, [name]);
    return record ?? null;
  }

  list(): Promise<ProviderCredentialRecord[]> {
    return this.all(SELECT_ALL, []);
  }

  async remove(name: string): Promise<boolean> {
    return (await this.sql.run((session) => session.run(DELETE_BY_NAME, [name]))) > 0;
  }

  async reseal(id: string, expectedKeyId: string, sealed: SealedSecret, updatedAt: Date): Promise<boolean> {
    const params = [sealed.keyId, sealed.iv, sealed.ciphertext, sealed.tag, this.sql.codec.time(updatedAt), id, expectedKeyId];
    return (await this.sql.run((session) => session.run(RESEAL, params))) > 0;
  }

  listNotUnderKey(keyId: string, afterId: string | null, limit: number): Promise<ProviderCredentialRecord[]> {
    return this.all(SELECT_NOT_UNDER_KEY, [keyId, afterId ?? '', limit]);
  }

  private all(sql: string, params: Array<string | number>): Promise<ProviderCredentialRecord[]> {
    return this.sql.run(async (session) => (await session.rows(sql, params)).map((row) => toRecord(row, this.sql.codec)));
  }
}
