import { Migration } from '@mikro-orm/migrations';

/** The address kind of a message's channel: SMS and calls share the phone number, the others are their own. */
const MESSAGE_KIND = "case NEW.channel when 'sms' then 'phone' else NEW.channel end";
/** The other party: who we wrote to, or who wrote to us. Email addresses compare case-insensitively. */
const MESSAGE_PARTY = "lower(case NEW.direction when 'outbound' then NEW.to_addr else NEW.from_addr end)";
const CALL_PARTY = "lower(case NEW.direction when 'outbound' then NEW.to_addr else NEW.from_addr end)";
/** The contact a new address creates takes the id of the message or call that brought it (unique, time-sortable). */
const NEW_CONTACT_ID = "'ctc_' || substr(NEW.id, instr(NEW.id, '_') + 1)";

/**
 * The statements of a trigger that files one message or call under its contact: the first traffic with an
 * address creates the contact (in the insert's own transaction, so a message never exists without one), later
 * traffic moves the contact's last activity forward. Group email (several recipients) is not filed.
 */
function fileUnderContact(kind: string, party: string, itemKind: 'message' | 'call'): string {
  const key = `agent_id = NEW.agent_id AND kind = ${kind} AND address = ${party}`;
  return `
    INSERT OR IGNORE INTO contact_addresses (agent_id, kind, address, contact_id, created_at)
      SELECT NEW.agent_id, ${kind}, ${party}, ${NEW_CONTACT_ID}, NEW.created_at WHERE ${party} <> '' AND ${party} NOT LIKE '%,%';
    INSERT OR IGNORE INTO contacts (id, agent_id, name, last_at, last_id, last_kind, read_at, read_id, created_at, updated_at)
      SELECT ${NEW_CONTACT_ID}, NEW.agent_id, NULL, NULL, NULL, NULL, NULL, NULL, NEW.created_at, NEW.created_at
      WHERE EXISTS (SELECT 1 FROM contact_addresses WHERE ${key} AND contact_id = ${NEW_CONTACT_ID});
    UPDATE contacts SET last_at = NEW.created_at, last_id = NEW.id, last_kind = '${itemKind}'
      WHERE id = (SELECT contact_id FROM contact_addresses WHERE ${key})
        AND (last_at IS NULL OR last_at < NEW.created_at OR (last_at = NEW.created_at AND last_id < NEW.id));`;
}

/**
 * Contacts: a person of an agent with one or more addresses, created from traffic by triggers (race-free: the
 * address is the unique key, one statement decides), merged and named by the agent. Threads read messages and calls
 * by the contact's addresses through the idx_thread_ indexes below.
 */
export class Migration20261201160100_contacts extends Migration {
  override up(): void {
    this.addSql(`create table contacts (
      id varchar(64) not null primary key,
      agent_id varchar(64) not null,
      name text null,
      last_at datetime null,
      last_id varchar(64) null,
      last_kind varchar(8) null,
      read_at datetime null,
      read_id varchar(64) null,
      created_at datetime not null,
      updated_at datetime not null
    )`);
    this.addSql('create index idx_thread_contacts_recent on contacts (agent_id, last_at, id)');
    this.addSql(`create table contact_addresses (
      agent_id varchar(64) not null,
      kind varchar(16) not null,
      address text not null,
      contact_id varchar(64) not null,
      created_at datetime not null,
      primary key (agent_id, kind, address)
    )`);
    this.addSql('create index idx_thread_contact_addresses_contact on contact_addresses (contact_id)');
    this.addSql('create index idx_thread_messages_to on messages (agent_id, lower(to_addr), created_at, id)');
    this.addSql('create index idx_thread_messages_from on messages (agent_id, lower(from_addr), created_at, id)');
    // Threads an inbound email reply: the message of ours its In-Reply-To names.
    this.addSql("create index idx_thread_messages_email_id on messages (agent_id, json_extract(metadata, '$.messageIdHeader')) where channel = 'email'");
    this.addSql('create index idx_thread_calls_to on call_logs (agent_id, lower(to_addr), created_at, id)');
    this.addSql('create index idx_thread_calls_from on call_logs (agent_id, lower(from_addr), created_at, id)');
    this.addSql(`create trigger thread_message_contact after insert on messages begin ${fileUnderContact(MESSAGE_KIND, MESSAGE_PARTY, 'message')}
    end`);
    this.addSql(`create trigger thread_call_contact after insert on call_logs begin ${fileUnderContact("'phone'", CALL_PARTY, 'call')}
    end`);
  }

  override down(): void {
    this.addSql('drop trigger if exists thread_call_contact');
    this.addSql('drop trigger if exists thread_message_contact');
    for (const index of ['idx_thread_messages_email_id', 'idx_thread_calls_from', 'idx_thread_calls_to', 'idx_thread_messages_from', 'idx_thread_messages_to']) {
      this.addSql(`drop index if exists ${index}`);
    }
    this.addSql('drop table if exists contact_addresses');
    this.addSql('drop table if exists contacts');
  }
}
