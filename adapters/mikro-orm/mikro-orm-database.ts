import type { MikroORM } from '@mikro-orm/core';
import type { Database } from '../../ports/repositories.js';
import type { Logger } from '../../ports/runtime.js';
import { SqlAgentRepository } from './agent-repository.js';
import { SqlCallbackDeliveryRepository } from './callback-delivery-repository.js';
import { SqlCallLogRepository } from './call-log-repository.js';
import { SqlCallTurnRepository } from './call-turn-repository.js';
import { SqlMessageRepository } from './message-repository.js';
import type { SqlExecutor } from './sql-executor.js';
import { SqlWhatsAppSenderRepository } from './whatsapp-sender-repository.js';

/** The `db` port over one MikroORM instance; the dialect differences live in the executor and `migrator`. */
export class MikroOrmDatabase implements Database {
  readonly dialect: Database['dialect'];
  readonly agents: SqlAgentRepository;
  readonly messages: SqlMessageRepository;
  readonly callbacks: SqlCallbackDeliveryRepository;
  readonly whatsappSenders: SqlWhatsAppSenderRepository;
  readonly calls: SqlCallLogRepository;
  readonly turns: SqlCallTurnRepository;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly orm: MikroORM,
    private readonly executor: SqlExecutor,
    /** Applies the pending migrations and returns their names. */
    private readonly migrator: () => Promise<string[]>,
    private readonly logger: Logger,
  ) {
    this.dialect = executor.dialect;
    this.agents = new SqlAgentRepository(executor);
    this.messages = new SqlMessageRepository(executor);
    this.callbacks = new SqlCallbackDeliveryRepository(executor);
    this.whatsappSenders = new SqlWhatsAppSenderRepository(executor);
    this.calls = new SqlCallLogRepository(executor);
    this.turns = new SqlCallTurnRepository(executor);
  }

  async migrate(): Promise<string[]> {
    const applied = await this.migrator();
    if (applied.length > 0) this.logger.info({ dialect: this.dialect, migrations: applied }, 'database migrated');
    return applied;
  }

  async ping(): Promise<void> {
    await this.executor.run((session) => session.rows('SELECT 1 AS ok', []));
  }

  close(): Promise<void> {
    // Idempotent: hosts may close on several shutdown paths.
    this.closing ??= (async () => {
      await this.executor.drain();
      await this.orm.close(true);
    })();
    return this.closing;
  }
}
