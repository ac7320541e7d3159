import { DomainError } from '../../ports/errors.js';
import type { WhatsAppSenderRecord } from '../../ports/records.js';
import type { WhatsAppSenderRepository } from '../../ports/repositories.js';
import { SENDER_COLUMNS, toWhatsAppSender } from './row-mapping.js';
import type { SqlExecutor } from './sql-executor.js';
import { isUniqueViolation } from './unique-violation.js';

// DO NOTHING + RETURNING tells a taken address apart without parsing driver-specific error text.
const INSERT =
  `INSERT INTO whatsapp_senders (${SENDER_COLUMNS}) VALUES (?, ?, ?, ?) ON CONFLICT (address) DO NOTHING RETURNING id`;
// Dedicated senders sort before shared ones (agent_id null), each group oldest first.
const SELECT_CANDIDATES =
  `SELECT ${SENDER_COLUMNS} FROM whatsapp_senders WHERE agent_id = ? OR agent_id IS NULL ` +
  'ORDER BY CASE WHEN agent_id IS NULL THEN 1 ELSE 0 END, created_at, id';
const SELECT_BY_ADDRESS = `SELECT ${SENDER_COLUMNS} FROM whatsapp_senders WHERE address = ?`;
const SELECT_ALL = `SELECT ${SENDER_COLUMNS} FROM whatsapp_senders ORDER BY created_at, id`;
// The outer `agent_id IS NULL` lets two provisioning runs race for one shared sender safely: the loser changes nothing.
const ASSIGN_FREE =
  'UPDATE whatsapp_senders SET agent_id = ? WHERE id = (SELECT id FROM whatsapp_senders WHERE agent_id IS NULL ORDER BY created_at, id LIMIT 1) ' +
  `AND agent_id IS NULL RETURNING ${SENDER_COLUMNS}`;
const UNASSIGN = 'UPDATE whatsapp_senders SET agent_id = NULL WHERE agent_id = ?';

export class SqlWhatsAppSenderRepository implements WhatsAppSenderRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async add(sender: WhatsAppSenderRecord): Promise<void> {
    const params = [sender.id, sender.address, sender.agentId, this.sql.codec.time(sender.createdAt)];
    let inserted: boolean;
    try {
      inserted = await this.sql.run(async (session) => (await session.rows(INSERT, params)).length > 0);
    } catch (err) {
      // The address conflict is answered by DO NOTHING above, so this is a reused id.
      if (isUniqueViolation(err)) {
        throw new DomainError('CONFLICT', 'A WhatsApp sender with this id is already stored.', undefined, { id: sender.id });
      }
      throw err;
    }
    if (!inserted) throw inPool(sender);
  }

  candidatesFor(agentId: string): Promise<WhatsAppSenderRecord[]> {
    return this.all(SELECT_CANDIDATES, [agentId]);
  }

  async findByAddress(address: string): Promise<WhatsAppSenderRecord | null> {
    const [sender] = await this.all(SELECT_BY_ADDRESS, [address]);
    return sender ?? null;
  }

  /** The whole pool, oldest first. */
  list(): Promise<WhatsAppSenderRecord[]> {
    return this.all(SELECT_ALL, []);
  }

  async assignFree(agentId: string): Promise<WhatsAppSenderRecord | null> {
    const [row] = await this.sql.run((session) => session.rows(ASSIGN_FREE, [agentId]));
    return row ? toWhatsAppSender(row, this.sql.codec) : null;
  }

  unassign(agentId: string): Promise<number> {
    return this.sql.run((session) => session.run(UNASSIGN, [agentId]));
  }

  private all(sql: string, params: string[]): Promise<WhatsAppSenderRecord[]> {
    return this.sql.run(async (session) => {
      const rows = await session.rows(sql, params);
      return rows.map((row) => toWhatsAppSender(row, this.sql.codec));
    });
  }
}

function inPool(sender: WhatsAppSenderRecord): DomainError {
  return new DomainError(
    'CONFLICT',
    `The WhatsApp sender ${sender.address} is already in the pool.`,
    'Use the sender already stored, or add another number.',
    { address: sender.address },
  );
}
