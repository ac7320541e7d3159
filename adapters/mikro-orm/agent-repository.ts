import { DomainError } from '../../ports/errors.js';
import type { AgentChannelRecord, AgentRecord, Channel } from '../../ports/records.js';
import type { AgentRepository } from '../../ports/repositories.js';
import { AGENT_COLUMNS, CHANNEL_COLUMNS, toAgent, toAgentChannel } from './row-mapping.js';
import type { SqlExecutor } from './sql-executor.js';
import { isUniqueViolation } from './unique-violation.js';

const INSERT_AGENT = `INSERT INTO agents (${AGENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
// DO NOTHING + RETURNING tells a taken address apart without parsing driver-specific error text.
const INSERT_CHANNEL =
  `INSERT INTO agent_channels (${CHANNEL_COLUMNS}) VALUES (?, ?, ?, ?, ?) ` +
  'ON CONFLICT (channel, address) DO NOTHING RETURNING id';
const SELECT_BY_ID = `SELECT ${AGENT_COLUMNS} FROM agents WHERE id = ?`;
const SELECT_BY_TOKEN_HASH = `SELECT ${AGENT_COLUMNS} FROM agents WHERE token_hash = ?`;
const SELECT_CHANNELS = `SELECT ${CHANNEL_COLUMNS} FROM agent_channels WHERE agent_id = ? ORDER BY created_at, id`;
const SELECT_CHANNEL =
  `SELECT ${CHANNEL_COLUMNS} FROM agent_channels WHERE agent_id = ? AND channel = ? ORDER BY created_at, id LIMIT 1`;

export class SqlAgentRepository implements AgentRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async create(agent: AgentRecord, channels: AgentChannelRecord[]): Promise<void> {
    const { codec } = this.sql;
    try {
      await this.sql.atomic(async (session) => {
        await session.run(INSERT_AGENT, [
          agent.id, agent.name, agent.tokenHash, agent.callbackUrl, agent.callbackSecret, agent.status,
          codec.time(agent.createdAt), codec.time(agent.updatedAt),
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

  findByTokenHash(tokenHash: string): Promise<AgentRecord | null> {
    return this.sql.run(async (session) => {
      const [row] = await session.rows(SELECT_BY_TOKEN_HASH, [tokenHash]);
      return row ? toAgent(row, this.sql.codec) : null;
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
}

function addressTaken(channel: AgentChannelRecord): DomainError {
  return new DomainError(
    'CONFLICT',
    `The ${channel.channel} address ${channel.address} is already assigned to an agent.`,
    'Choose another address, or release it from the agent that holds it.',
    { channel: channel.channel, address: channel.address },
  );
}
