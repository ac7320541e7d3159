import { DomainError } from '../../ports/errors.js';
import type {
  CustomerRecord, CustomerRepository, IsolationMode, SharedNumberRecord, SharedNumberRepository,
} from '../../ports/customers.js';
import { member, nullableText, text } from './row-values.js';
import { SqlClauses } from './sql-clauses.js';
import type { SqlCodec, SqlExecutor, SqlRow } from './sql-executor.js';
import { isUniqueViolation } from './unique-violation.js';

const COLUMNS = 'id, name, isolation, status, admin_token_hash, provider_account, credentials_ref, created_at, updated_at';
const INSERT = `INSERT INTO customers (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const SELECT_BY_ID = `SELECT ${COLUMNS} FROM customers WHERE id = ?`;
const SELECT_BY_TOKEN_HASH = `SELECT ${COLUMNS} FROM customers WHERE admin_token_hash = ?`;
const SELECT_ALL = `SELECT ${COLUMNS} FROM customers ORDER BY created_at, id`;
// Both tables' provider_account columns are indexed (Migration20261203140100_provider_account_indexes).
const SELECT_CREDENTIALS_OF_ACCOUNT =
  'SELECT credentials_ref FROM customers WHERE provider_account = ? AND credentials_ref IS NOT NULL ' +
  'UNION ALL SELECT credentials_ref FROM agents WHERE provider_account = ? AND credentials_ref IS NOT NULL LIMIT 1';

function toCustomer(row: SqlRow, codec: SqlCodec): CustomerRecord {
  return {
    id: text(row, 'id'),
    name: text(row, 'name'),
    isolation: member<IsolationMode>(row, 'isolation'),
    status: member<CustomerRecord['status']>(row, 'status'),
    adminTokenHash: nullableText(row, 'admin_token_hash'),
    providerAccount: nullableText(row, 'provider_account'),
    credentialsRef: nullableText(row, 'credentials_ref'),
    createdAt: codec.readTime(row.created_at),
    updatedAt: codec.readTime(row.updated_at),
  };
}

export class SqlCustomerRepository implements CustomerRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async insert(customer: CustomerRecord): Promise<void> {
    const { codec } = this.sql;
    const params = [
      customer.id, customer.name, customer.isolation, customer.status, customer.adminTokenHash, customer.providerAccount,
      customer.credentialsRef, codec.time(customer.createdAt), codec.time(customer.updatedAt),
    ];
    try {
      await this.sql.run((session) => session.run(INSERT, params));
    } catch (err) {
      if (isUniqueViolation(err)) throw new DomainError('CONFLICT', 'A customer with this id or token already exists.', 'Create the customer again.', { customerId: customer.id });
      throw err;
    }
  }

  async findById(id: string): Promise<CustomerRecord | null> {
    return (await this.all(SELECT_BY_ID, [id]))[0] ?? null;
  }

  async findByTokenHash(tokenHash: string): Promise<CustomerRecord | null> {
    return (await this.all(SELECT_BY_TOKEN_HASH, [tokenHash]))[0] ?? null;
  }

  list(): Promise<CustomerRecord[]> {
    return this.all(SELECT_ALL, []);
  }

  credentialsOfAccount(providerAccount: string): Promise<string | null> {
    return this.sql.run(async (session) => {
      const [row] = await session.rows(SELECT_CREDENTIALS_OF_ACCOUNT, [providerAccount, providerAccount]);
      return row ? text(row, 'credentials_ref') : null;
    });
  }

  async update(id: string, patch: Parameters<CustomerRepository['update']>[1]): Promise<void> {
    const set = new SqlClauses('updated_at = ?', this.sql.codec.time(patch.updatedAt));
    if (patch.name !== undefined) set.and('name = ?', patch.name);
    if (patch.status !== undefined) set.and('status = ?', patch.status);
    if (patch.adminTokenHash !== undefined) set.and('admin_token_hash = ?', patch.adminTokenHash);
    if (patch.providerAccount !== undefined) set.and('provider_account = ?', patch.providerAccount);
    if (patch.credentialsRef !== undefined) set.and('credentials_ref = ?', patch.credentialsRef);
    const changed = await this.sql.run((session) => session.run(`UPDATE customers SET ${set.join(', ')} WHERE id = ?`, [...set.params, id]));
    if (changed === 0) throw new DomainError('NOT_FOUND', `No customer ${id}.`, 'Check the customer id (comms_list_customers).', { customerId: id });
  }

  private all(sql: string, params: string[]): Promise<CustomerRecord[]> {
    return this.sql.run(async (session) => (await session.rows(sql, params)).map((row) => toCustomer(row, this.sql.codec)));
  }
}

const SHARED_COLUMNS = 'address, customer_id, default_agent_id, created_at, updated_at';
// Both dialects upsert the same way; created_at stays that of the first save.
const UPSERT_SHARED =
  `INSERT INTO shared_numbers (${SHARED_COLUMNS}) VALUES (?, ?, ?, ?, ?) ` +
  'ON CONFLICT (address) DO UPDATE SET customer_id = excluded.customer_id, default_agent_id = excluded.default_agent_id, updated_at = excluded.updated_at';
const SELECT_SHARED = `SELECT ${SHARED_COLUMNS} FROM shared_numbers WHERE address = ?`;

export class SqlSharedNumberRepository implements SharedNumberRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async save(record: SharedNumberRecord): Promise<void> {
    const { codec } = this.sql;
    const params = [record.address, record.customerId, record.defaultAgentId, codec.time(record.createdAt), codec.time(record.updatedAt)];
    await this.sql.run((session) => session.run(UPSERT_SHARED, params));
  }

  find(address: string): Promise<SharedNumberRecord | null> {
    return this.sql.run(async (session) => {
      const [row] = await session.rows(SELECT_SHARED, [address]);
      return row ? {
        address: text(row, 'address'),
        customerId: nullableText(row, 'customer_id'),
        defaultAgentId: nullableText(row, 'default_agent_id'),
        createdAt: this.sql.codec.readTime(row.created_at),
        updatedAt: this.sql.codec.readTime(row.updated_at),
      } : null;
    });
  }
}
