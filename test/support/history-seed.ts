/**
 * Builds a message history in the database itself (one INSERT … SELECT over a generated series), so
 * that millions of rows take seconds, not a round trip each. Shared by the query-plan test (20k rows)
 * and the history benchmark (millions, PostgreSQL).
 *
 * Realistic skew, from fixed pseudo-random functions of the row number (the same rows every run):
 * agent k gets a share falling off like a power law (agent 0 has ~1/cbrt(agents) of all rows), 70 % sms,
 * 20 % email, 10 % WhatsApp, 60 % outbound, and each contact's share falls off too. Numbers are the
 * reserved +1 NPA 555-01XX kind.
 */
export type SeedDialect = 'sqlite' | 'postgresql';

export interface HistoryShape {
  agents: number;
  /** At most 72,000 (800 area codes × 90 reserved line numbers). */
  contacts: number;
  /** Creation time of row 0; row n is n seconds later. */
  start: Date;
}

/** The agent's own number (from of outbound, to of inbound). */
export const OWN_NUMBER = '+12025550100';

export const agentId = (k: number): string => `agt_hist_${k}`;

/** Row n's id, zero-padded so that ids grow with n: the primary key is appended to, never split, during a load. */
export const messageId = (n: number): string => `msg_hist_${String(n).padStart(10, '0')}`;

/** Contact k as the seed spells it. */
export function contactNumber(k: number): string {
  return `+1${200 + (k % 800)}55501${10 + (Math.floor(k / 800) % 90)}`;
}

const COLUMNS =
  'id, agent_id, channel, direction, from_addr, to_addr, body, status, provider, provider_message_id, ' +
  'idempotency_key, request_hash, error_code, error_message, metadata, created_at, updated_at';

/** Inserts rows first … first + count − 1 of the shape into `messages` (agents must exist). */
export function seedMessagesSql(dialect: SeedDialect, shape: HistoryShape, first: number, count: number): string {
  const pg = dialect === 'postgresql';
  const floor = (expr: string) => (pg ? `floor(${expr})::bigint` : `CAST(${expr} AS INTEGER)`);
  const unit = (mul: number, mod: number) => `(((n * ${mul}) % ${mod}) * 1.0 / ${mod})`;
  const agent = floor(`${shape.agents} * ${unit(2654435761, 1000003)} * ${unit(2654435761, 1000003)} * ${unit(2654435761, 1000003)}`);
  const contact = floor(`${shape.contacts} * ${unit(1103515245, 1000037)} * ${unit(1103515245, 1000037)}`);
  const channel = `CASE WHEN ((n * 40503) % 100) < 70 THEN 'sms' WHEN ((n * 40503) % 100) < 90 THEN 'email' ELSE 'whatsapp' END`;
  const outbound = '((n * 69069) % 10) < 6';
  const address = `('+1' || (200 + (c % 800)) || '55501' || (10 + ((c / 800) % 90)))`;
  const millis = `(${shape.start.getTime()} + n * 1000)`;
  const time = pg ? `to_timestamp(${millis} / 1000.0)` : millis;
  const id = pg ? "lpad(n::text, 10, '0')" : "substr('0000000000' || n, -10)";
  const select =
    `SELECT 'msg_hist_' || ${id}, 'agt_hist_' || a, ${channel}, CASE WHEN ${outbound} THEN 'outbound' ELSE 'inbound' END, ` +
    `CASE WHEN ${outbound} THEN '${OWN_NUMBER}' ELSE ${address} END, ` +
    `CASE WHEN ${outbound} THEN ${address} ELSE '${OWN_NUMBER}' END, ` +
    `'seeded', 'delivered', 'mock', NULL, NULL, NULL, NULL, NULL, ${pg ? "'{}'::jsonb" : "'{}'"}, ${time}, ${time}`;
  const last = first + count - 1;
  // The agent and contact of row n are computed once, in a derived table.
  const numbered = pg
    ? `SELECT n, ${agent} AS a, ${contact} AS c FROM generate_series(${first}::bigint, ${last}::bigint) AS g(n)`
    : `WITH RECURSIVE g(n) AS (SELECT ${first} UNION ALL SELECT n + 1 FROM g WHERE n < ${last}) SELECT n, ${agent} AS a, ${contact} AS c FROM g`;
  return `INSERT INTO messages (${COLUMNS}) ${select} FROM (${numbered}) AS rows_n`;
}

const CALL_COLUMNS =
  'id, agent_id, direction, from_addr, to_addr, status, history, provider, started_at, metadata, created_at, updated_at, version';

/** `count` calls with the agent skew of the messages, row n created n seconds after the start. */
export function seedCallsSql(dialect: SeedDialect, shape: HistoryShape, count: number): string {
  const pg = dialect === 'postgresql';
  const floor = (expr: string) => (pg ? `floor(${expr})::bigint` : `CAST(${expr} AS INTEGER)`);
  const unit = `(((n * 2654435761) % 1000003) * 1.0 / 1000003)`;
  const millis = `(${shape.start.getTime()} + n * 1000)`;
  const time = pg ? `to_timestamp(${millis} / 1000.0)` : millis;
  const json = (text: string) => (pg ? `'${text}'::jsonb` : `'${text}'`);
  const series = pg
    ? `generate_series(0::bigint, ${count - 1}::bigint) AS g(n)`
    : `(WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n < ${count - 1}) SELECT n FROM g) AS g`;
  return (
    `INSERT INTO call_logs (${CALL_COLUMNS}) SELECT 'cal_hist_' || n, 'agt_hist_' || ${floor(`${shape.agents} * ${unit} * ${unit} * ${unit}`)}, ` +
    `'outbound', '${OWN_NUMBER}', '${contactNumber(0)}', 'completed', ${json('[]')}, 'mock', ${time}, ${json('{}')}, ${time}, ${time}, 0 ` +
    `FROM ${series}`
  );
}
