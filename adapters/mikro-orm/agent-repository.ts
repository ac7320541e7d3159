import { DomainError } from '../../ports/errors.js';
import type { AgentChannelRecord, AgentRecord, Channel } from '../../ports/records.js';
import type { AgentPatch, AgentRepository, AgentWithChannels } from '../../ports/repositories.js';
import { AGENT_COLUMNS, CHANNEL_COLUMNS, toAgent, toAgentChannel } from './row-mapping.js';
import { SqlClauses } from './sql-clauses.js';
import type { SqlExecutor, SqlRow } from './sql-executor.js';
import { isUniqueViolation } from './unique-violation.js';

// One placeholder per column, derived so a column added to AGENT_COLUMNS cannot leave the count behind.
const INSERT_AGENT =
  `INSERT INTO agents (${AGENT_COLUMNS}) VALUES (${AGENT_COLUMNS.split(', ').map(() => '?').join(', ')})`;
// DO NOTHING + RETURNING tells a taken address apart without parsing driver-specific error text.
const INSERT_CHANNEL =
  `INSERT INTO agent_channels (${CHANNEL_COLUMNS}) VALUES (?, ?, ?, ?, ?) ` +
  'ON CONFLICT (channel, address) DO NOTHING RETURNING id';
const SELECT_BY_ID = `SELECT ${AGENT_COLUMNS} FROM agents WHERE id = ?`;
// The agent's columns under their own names, its channels' prefixed: one row per channel (one row with
// null channel columns for an agent without any).
const SELECT_BY_TOKEN_HASH =
  `SELECT ${AGENT_COLUMNS.split(', ').map((c) => `a.${c}`).join(', ')}, ` +
  `${CHANNEL_COLUMNS.split(', ').map((c) => `c.${c} AS channel_${c}`).join(', ')} ` +
  'FROM agents a LEFT JOIN agent_channels c ON c.agent_id = a.id WHERE a.token_hash = ? ORDER BY c.created_at, c.id';
const SELECT_ALL = `SELECT ${AGENT_COLUMNS} FROM agents ORDER BY created_at, id`;
const SELECT_OF_CUSTOMER = `SELECT ${AGENT_COLUMNS} FROM agents WHERE customer_id = ? ORDER BY created_at, id`;
// The member of the shared number the contact last exchanged a message with on it, either way.
const SELECT_LAST_ON_SHARED =
  'SELECT m.agent_id FROM messages m JOIN agents a ON a.id = m.agent_id WHERE a.shared_number = ? AND m.channel = ? ' +
  'AND ((m.from_addr = ? AND m.to_addr = ?) OR (m.from_addr = ? AND m.to_addr = ?)) ORDER BY m.created_at DESC, m.id DESC LIMIT 1';
const SELECT_CHANNELS = `SELECT ${CHANNEL_COLUMNS} FROM agent_channels WHERE agent_id = ? ORDER BY created_at, id`;
const SELECT_CHANNEL =
  `SELECT ${CHANNEL_COLUMNS} FROM agent_channels WHERE agent_id = ? AND channel = ? ORDER BY created_at, id LIMIT 1`;
const SELECT_CHANNEL_BY_ADDRESS = `SELECT ${CHANNEL_COLUMNS} FROM agent_channels WHERE channel = ? AND address = ?`;
const DELETE_CHANNEL = 'DELETE FROM agent_channels WHERE agent_id = ? AND channel = ?';
const DELETE_OTHER_ADDRESSES = 'DELETE FROM agent_channels WHERE agent_id = ? AND channel = ? AND address <> ?';
// PostgreSQL: the row lock serialises two replacements of one agent's address, which could otherwise
// each delete before the other inserts and leave both. NO KEY UPDATE, because it does not block the
// key-share locks that foreign-key checks take (the agent's messages keep flowing meanwhile).
// SQLite runs one writer at a time anyway.
const LOCK_AGENT = {
  sqlite: 'SELECT id FROM agents WHERE id = ?',
  postgresql: 'SELECT id FROM agents WHERE id = ? FOR NO KEY UPDATE',
} as const;

export class SqlAgentRepository implements AgentRepository {
  /** `changed` is called after each write to an agent or its addresses has finished (see Database.onAgentsChanged). */
  constructor(private readonly sql: SqlExecutor, private readonly changed: () => void = () => undefined) {}

  async create(agent: AgentRecord, channels: AgentChannelRecord[]): Promise<void> {
    const { codec } = this.sql;
    try {
      await this.sql.atomic(async (session) => {
        await session.run(INSERT_AGENT, [
          agent.id, agent.name, agent.tokenHash, agent.callbackUrl, agent.callbackSecret, agent.status,
          codec.json(agent.voice), codec.time(agent.createdAt), codec.time(agent.updatedAt), agent.sendingSuspended ?? null,
          agent.customerId ?? null, agent.identity ?? 'dedicated', agent.sharedNumber ?? null, agent.credentialsRef ?? null, agent.providerAccount ?? null,
        ]);
        for (const channel of channels) {
          const inserted = await session.rows(INSERT_CHANNEL, [
            channel.id, channel.agentId, channel.channel, channel.address, codec.time(channel.createdAt),
          ]);
          if (inserted.length === 0) throw addressTaken(channel);
        }
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new DomainError(
          'CONFLICT',
          'An agent with this id or token already exists.',
          'Create the agent again; a new id and token are generated each time.',
          { agentId: agent.id },
        );
      }
      throw err;
    }
  }

  findById(id: string): Promise<AgentRecord | null> {
    return this.sql.run(async (session) => {
      const [row] = await session.rows(SELECT_BY_ID, [id]);
      return row ? toAgent(row, this.sql.codec) : null;
    });
  }

  findByTokenHash(tokenHash: string): Promise<AgentWithChannels | null> {
    return this.sql.run(async (session) => {
      const rows = await session.rows(SELECT_BY_TOKEN_HASH, [tokenHash]);
      if (rows.length === 0) return null;
      const channels = rows.filter((row) => row.channel_id != null).map((row) => toAgentChannel(unprefixed(row, 'channel_'), this.sql.codec));
      return { agent: toAgent(rows[0]!, this.sql.codec), channels };
    });
  }

  list(filter: { customerId?: string } = {}): Promise<AgentRecord[]> {
    const [sql, params] = filter.customerId === undefined ? [SELECT_ALL, []] : [SELECT_OF_CUSTOMER, [filter.customerId]];
    return this.sql.run(async (session) => (await session.rows(sql, params)).map((row) => toAgent(row, this.sql.codec)));
  }

  lastOnSharedNumber(channel: Channel, sharedNumber: string, contact: string): Promise<string | null> {
    return this.sql.run(async (session) => {
      const [row] = await session.rows(SELECT_LAST_ON_SHARED, [sharedNumber, channel, contact, sharedNumber, sharedNumber, contact]);
      return row ? String(row.agent_id) : null;
    });
  }

  listChannels(agentId: string): Promise<AgentChannelRecord[]> {
    return this.sql.run(async (session) => {
      const rows = await session.rows(SELECT_CHANNELS, [agentId]);
      return rows.map((row) => toAgentChannel(row, this.sql.codec));
    });
  }

  findChannel(agentId: string, channel: Channel): Promise<AgentChannelRecord | null> {
    return this.sql.run(async (session) => {
      const [row] = await session.rows(SELECT_CHANNEL, [agentId, channel]);
      return row ? toAgentChannel(row, this.sql.codec) : null;
    });
  }

  findChannelByAddress(channel: Channel, address: string): Promise<AgentChannelRecord | null> {
    return this.sql.run(async (session) => {
      const [row] = await session.rows(SELECT_CHANNEL_BY_ADDRESS, [channel, address]);
      return row ? toAgentChannel(row, this.sql.codec) : null;
    });
  }

  async setChannel(record: AgentChannelRecord): Promise<void> {
    try {
      await this.replaceChannel(record);
    } finally {
      this.changed();
    }
  }

  private async replaceChannel(record: AgentChannelRecord): Promise<void> {
    const { codec } = this.sql;
    try {
      await this.sql.atomic(async (session) => {
        const [agentRow] = await session.rows(LOCK_AGENT[this.sql.dialect], [record.agentId]);
        // Checked here so an unknown agent is NOT_FOUND, not a driver's foreign-key error.
        if (!agentRow) throw agentNotFound(record.agentId);
        await session.run(DELETE_OTHER_ADDRESSES, [record.agentId, record.channel, record.address]);
        const inserted = await session.rows(INSERT_CHANNEL, [
          record.id, record.agentId, record.channel, record.address, codec.time(record.createdAt),
        ]);
        if (inserted.length > 0) return;
        const [ownerRow] = await session.rows(SELECT_CHANNEL_BY_ADDRESS, [record.channel, record.address]);
        // Already this agent's address: the stored row (its id, its createdAt) stays as it is.
        if (ownerRow && toAgentChannel(ownerRow, codec).agentId === record.agentId) return;
        // Throwing undoes the delete above: nothing is written.
        throw addressTaken(record);
      });
    } catch (err) {
      // The address conflict is answered by DO NOTHING above, so this is a reused channel id.
      if (isUniqueViolation(err)) {
        throw new DomainError('CONFLICT', 'An agent address with this id already exists.', undefined, { id: record.id });
      }
      throw err;
    }
  }

  async removeChannel(agentId: string, channel: Channel): Promise<void> {
    try {
      await this.sql.run((session) => session.run(DELETE_CHANNEL, [agentId, channel]));
    } finally {
      this.changed();
    }
  }

  async update(agentId: string, patch: AgentPatch): Promise<void> {
    // Fields left undefined keep their stored value; a null callbackUrl clears it. Voice settings are
    // replaced whole, not merged: the caller sends the settings it wants, as for message metadata.
    const set = new SqlClauses('updated_at = ?', this.sql.codec.time(patch.updatedAt));
    if (patch.name !== undefined) set.and('name = ?', patch.name);
    if (patch.callbackUrl !== undefined) set.and('callback_url = ?', patch.callbackUrl);
    if (patch.status !== undefined) set.and('status = ?', patch.status);
    if (patch.voice !== undefined) set.and('voice_settings = ?', this.sql.codec.json(patch.voice));
    if (patch.tokenHash !== undefined) set.and('token_hash = ?', patch.tokenHash);
    if (patch.sendingSuspended !== undefined) set.and('sending_suspended = ?', patch.sendingSuspended);
    if (patch.identity !== undefined) set.and('identity = ?', patch.identity);
    if (patch.sharedNumber !== undefined) set.and('shared_number = ?', patch.sharedNumber);
    if (patch.credentialsRef !== undefined) set.and('credentials_ref = ?', patch.credentialsRef);
    if (patch.providerAccount !== undefined) set.and('provider_account = ?', patch.providerAccount);
    const sql = `UPDATE agents SET ${set.join(', ')} WHERE id = ?`;
    const params = [...set.params, agentId];
    // Both drivers count matched rows, changed or not, and updated_at is always written: 0 = no agent.
    let matched: number;
    try {
      matched = await this.sql.run((session) => session.run(sql, params));
    } finally {
      this.changed();
    }
    if (matched === 0) throw agentNotFound(agentId);
  }
}

function agentNotFound(agentId: string): DomainError {
  return new DomainError('NOT_FOUND', `No agent ${agentId}.`, 'Check the agent id.', { agentId });
}

function addressTaken(channel: AgentChannelRecord): DomainError {
  return new DomainError(
    'CONFLICT',
    `The ${channel.channel} address ${channel.address} is already assigned to an agent.`,
    'Choose another address, or release it from the agent that holds it.',
    { channel: channel.channel, address: channel.address },
  );
}

/** The columns of `row` whose names start with `prefix`, under their names without it. */
function unprefixed(row: SqlRow, prefix: string): SqlRow {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) if (name.startsWith(prefix)) out[name.slice(prefix.length)] = value;
  return out;
}
