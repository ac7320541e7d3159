import type { MikroORM } from '@mikro-orm/core';
import type { Database, Repositories } from '../../ports/repositories.js';
import type { Logger } from '../../ports/runtime.js';
import { ChangeListeners } from '../node/change-listeners.js';
import { SqlAgentRepository } from './agent-repository.js';
import { SqlCallbackDeliveryRepository } from './callback-delivery-repository.js';
import { SqlCallLogRepository } from './call-log-repository.js';
import { SqlCallTurnRepository } from './call-turn-repository.js';
import { SqlMessageRepository } from './message-repository.js';
import { sessionExecutor, type SqlExecutor } from './sql-executor.js';
import { SqlUsageRepository } from './usage-repository.js';
import { DEFAULT_RESERVATION_BATCH } from './postgresql-reservation-batch.js';
import { SqlComplianceRepository } from './compliance-repository.js';
import { SqlWhatsAppSenderRepository } from './whatsapp-sender-repository.js';
import { SqlAuditRepository } from './audit-repository.js';
import { SqlProviderCredentialRepository } from './provider-credential-repository.js';
import { SqlContactRepository } from './contact-repository.js';
import { SqlMcpSessionRepository } from './mcp-session-repository.js';
import { SqlProvisioningRepository } from './provisioning-repository.js';
import { SqlCustomerRepository, SqlSharedNumberRepository } from './customer-repository.js';

/**
 * Every repository over one executor: the database's own, or a transaction's session. Status changes and usage
 * reservations made outside a transaction on PostgreSQL are batched (a transaction's statements stay its own).
 */
function repositoriesOver(sql: SqlExecutor, agentsChanged: () => void, own = false): Repositories {
  return {
    agents: new SqlAgentRepository(sql, agentsChanged),
    messages: new SqlMessageRepository(sql, own && sql.dialect === 'postgresql'),
    callbacks: new SqlCallbackDeliveryRepository(sql),
    whatsappSenders: new SqlWhatsAppSenderRepository(sql),
    calls: new SqlCallLogRepository(sql),
    turns: new SqlCallTurnRepository(sql),
    usage: new SqlUsageRepository(sql, agentsChanged, own && sql.dialect === 'postgresql' ? DEFAULT_RESERVATION_BATCH : null),
    compliance: new SqlComplianceRepository(sql),
    audit: new SqlAuditRepository(sql),
    providerCredentials: new SqlProviderCredentialRepository(sql),
    contacts: new SqlContactRepository(sql),
    mcpSessions: new SqlMcpSessionRepository(sql),
    provisioning: new SqlProvisioningRepository(sql),
    customers: new SqlCustomerRepository(sql),
    sharedNumbers: new SqlSharedNumberRepository(sql),
  };
}

/** The `db` port over one MikroORM instance; the dialect differences live in the executor and `migrator`. */
export class MikroOrmDatabase implements Database {
  readonly dialect: Database['dialect'];
  readonly reservesWithAction: boolean;
  readonly agents: Repositories['agents'];
  readonly messages: Repositories['messages'];
  readonly callbacks: Repositories['callbacks'];
  readonly whatsappSenders: Repositories['whatsappSenders'];
  readonly calls: Repositories['calls'];
  readonly turns: Repositories['turns'];
  readonly usage: Repositories['usage'];
  readonly compliance: Repositories['compliance'];
  readonly audit: Repositories['audit'];
  readonly providerCredentials: Repositories['providerCredentials'];
  readonly contacts: Repositories['contacts'];
  readonly mcpSessions: Repositories['mcpSessions'];
  readonly provisioning: Repositories['provisioning'];
  readonly customers: Repositories['customers'];
  readonly sharedNumbers: Repositories['sharedNumbers'];
  private closing: Promise<void> | null = null;
  private readonly agentListeners: ChangeListeners;

  constructor(
    private readonly orm: MikroORM,
    private readonly executor: SqlExecutor,
    /** Applies the pending migrations and returns their names. */
    private readonly migrator: () => Promise<string[]>,
    private readonly logger: Logger,
    readonly location: string,
  ) {
    this.dialect = executor.dialect;
    this.reservesWithAction = executor.dialect === 'sqlite';
    this.agentListeners = new ChangeListeners(logger, 'an agent change');
    ({
      agents: this.agents, messages: this.messages, callbacks: this.callbacks,
      whatsappSenders: this.whatsappSenders, calls: this.calls, turns: this.turns, usage: this.usage,
      compliance: this.compliance, audit: this.audit, providerCredentials: this.providerCredentials, contacts: this.contacts,
      mcpSessions: this.mcpSessions, provisioning: this.provisioning, customers: this.customers, sharedNumbers: this.sharedNumbers,
    } = repositoriesOver(executor, () => this.agentsChanged(), true));
  }

  async transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    // Inside, a write is not committed yet: listeners hear of it once the transaction is over (committed or not).
    let touched = false;
    try {
      return await this.executor.atomic((session) => work(repositoriesOver(sessionExecutor(this.executor, session), () => (touched = true))));
    } finally {
      if (touched) this.agentsChanged();
    }
  }

  onAgentsChanged(listener: () => void): () => void {
    return this.agentListeners.add(listener);
  }

  private agentsChanged(): void {
    this.agentListeners.notify();
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
