import { Migration } from '@mikro-orm/migrations';

/**
 * Files one message or call under its contact. The first traffic with an address creates the contact in the
 * insert's own transaction; the address is the unique key, so of concurrent first messages one inserts it and the
 * others wait for its commit and then find it. Later traffic moves the contact's last activity forward. The new
 * contact takes the id of the message or call that brought it. Group email (several recipients) is not filed.
 */
const FILE_UNDER_CONTACT = `
create or replace function thread_file_under_contact(p_agent text, p_kind text, p_address text, p_item text, p_item_kind text, p_at timestamptz)
returns void language plpgsql as $$
declare
  new_contact text := 'ctc_' || substr(p_item, strpos(p_item, '_') + 1);
begin
  if p_address = '' or p_address like '%,%' then return; end if;
  insert into contact_addresses (agent_id, kind, address, contact_id, created_at)
    values (p_agent, p_kind, p_address, new_contact, p_at) on conflict do nothing;
  if found then
    insert into contacts (id, agent_id, name, last_at, last_id, last_kind, read_at, read_id, created_at, updated_at)
      values (new_contact, p_agent, null, p_at, p_item, p_item_kind, null, null, p_at, p_at);
  else
    update contacts set last_at = p_at, last_id = p_item, last_kind = p_item_kind
      where id = (select contact_id from contact_addresses where agent_id = p_agent and kind = p_kind and address = p_address)
        and (last_at is null or (last_at, last_id) < (p_at, p_item));
  end if;
end $$`;

const MESSAGE_TRIGGER = `
create or replace function thread_message_contact() returns trigger language plpgsql as $$
begin
  perform thread_file_under_contact(new.agent_id, case new.channel when 'sms' then 'phone' else new.channel end,
    lower(case new.direction when 'outbound' then new.to_addr else new.from_addr end), new.id, 'message', new.created_at);
  return null;
end $$`;

const CALL_TRIGGER = `
create or replace function thread_call_contact() returns trigger language plpgsql as $$
begin
  perform thread_file_under_contact(new.agent_id, 'phone',
    lower(case new.direction when 'outbound' then new.to_addr else new.from_addr end), new.id, 'call', new.created_at);
  return null;
end $$`;

/**
 * Contacts: a person of an agent with one or more addresses, created from traffic by triggers, merged and named
 * by the agent. Threads read messages and calls by the contact's addresses through the idx_thread_ indexes.
 */
export class Migration20261201160100_contacts extends Migration {
  override up(): void {
    this.addSql(`create table contacts (
      id varchar(64) collate "C" not null,
      agent_id varchar(64) collate "C" not null,
      name text null,
      last_at timestamptz(3) null,
      last_id varchar(64) collate "C" null,
      last_kind varchar(8) null,
      read_at timestamptz(3) null,
      read_id varchar(64) collate "C" null,
      created_at timestamptz(3) not null,
      updated_at timestamptz(3) not null,
      constraint contacts_pkey primary key (id)
    )`);
    this.addSql('create index idx_thread_contacts_recent on contacts (agent_id, last_at, id)');
    this.addSql(`create table contact_addresses (
      agent_id varchar(64) collate "C" not null,
      kind varchar(16) not null,
      address text not null,
      contact_id varchar(64) collate "C" not null,
      created_at timestamptz(3) not null,
      constraint contact_addresses_pkey primary key (agent_id, kind, address)
    )`);
    this.addSql('create index idx_thread_contact_addresses_contact on contact_addresses (contact_id)');
    this.addSql('create index idx_thread_messages_to on messages (agent_id, lower(to_addr), created_at, id)');
    this.addSql('create index idx_thread_messages_from on messages (agent_id, lower(from_addr), created_at, id)');
    // Threads an inbound email reply: the message of ours its In-Reply-To names.
    this.addSql("create index idx_thread_messages_email_id on messages (agent_id, (metadata->>'messageIdHeader')) where channel = 'email'");
    this.addSql('create index idx_thread_calls_to on call_logs (agent_id, lower(to_addr), created_at, id)');
    this.addSql('create index idx_thread_calls_from on call_logs (agent_id, lower(from_addr), created_at, id)');
    this.addSql(FILE_UNDER_CONTACT);
    this.addSql(MESSAGE_TRIGGER);
    this.addSql(CALL_TRIGGER);
    this.addSql('create trigger thread_message_contact after insert on messages for each row execute function thread_message_contact()');
    this.addSql('create trigger thread_call_contact after insert on call_logs for each row execute function thread_call_contact()');
  }

  override down(): void {
    this.addSql('drop trigger if exists thread_call_contact on call_logs');
    this.addSql('drop trigger if exists thread_message_contact on messages');
    this.addSql('drop function if exists thread_call_contact()');
    this.addSql('drop function if exists thread_message_contact()');
    this.addSql('drop function if exists thread_file_under_contact(text, text, text, text, text, timestamptz)');
    for (const index of ['idx_thread_messages_email_id', 'idx_thread_calls_from', 'idx_thread_calls_to', 'idx_thread_messages_from', 'idx_thread_messages_to']) {
      this.addSql(`drop index if exists ${index}`);
    }
    this.addSql('drop table if exists contact_addresses');
    this.addSql('drop table if exists contacts');
  }
}
