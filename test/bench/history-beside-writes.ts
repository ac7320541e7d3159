/**
 * SQLite: message inserts (the write half of a send) with and without history pages read at the same time,
 * on a seeded file. The pages run on the reader threads, so the inserts' rate should barely move.
 *
 *   npx tsx test/bench/history-beside-writes.ts [rows=200000] [inserts=5000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import sqlitePlugin from '../../adapters/mikro-orm/sqlite-plugin.js';
import { databasePluginContext } from '../../contracts/database.js';
import type { MessageRecord } from '../../ports/records.js';
import type { Database } from '../../ports/repositories.js';
import { agentId, contactNumber, OWN_NUMBER, seedMessagesSql, type HistoryShape } from '../support/history-seed.js';

const ROWS = Number(process.argv[2] ?? 200_000);
const INSERTS = Number(process.argv[3] ?? 5_000);
const WRITERS = 32;
const READERS = 4;
const SHAPE: HistoryShape = { agents: 100, contacts: 5_000, start: new Date('2026-01-01T00:00:00.000Z') };

function message(i: number, round: string): MessageRecord {
  const now = new Date();
  return {
    id: `msg_bench_${round}_${i}`, agentId: agentId(i % SHAPE.agents), channel: 'sms', direction: 'outbound', from: OWN_NUMBER,
    to: contactNumber(i % SHAPE.contacts), body: 'Your appointment is confirmed.', status: 'pending', provider: 'mock',
    providerMessageId: null, idempotencyKey: `key-${round}-${i}`, requestHash: null, errorCode: null, errorMessage: null,
    metadata: {}, createdAt: now, updatedAt: now,
  };
}

const quantile = (samples: number[], q: number) => [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;

async function inserts(db: Database, round: string): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: WRITERS }, async () => {
    while (next < INSERTS) await db.messages.insertOutbound(message(next++, round));
  }));
  return INSERTS / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'comms-history-bench-'));
  const file = join(dir, 'bench.sqlite');
  const db = await sqlitePlugin.create({ path: file }, databasePluginContext(dir));
  try {
    await db.migrate();
    for (let k = 0; k < SHAPE.agents; k++) {
      await db.agents.create({
        id: agentId(k), name: `bench ${k}`, tokenHash: `hash-bench-${k}`, callbackUrl: null, callbackSecret: 'whsec',
        status: 'active', voice: {}, createdAt: SHAPE.start, updatedAt: SHAPE.start,
      }, []);
    }
    const seeder = new Sqlite(file);
    seeder.exec(seedMessagesSql('sqlite', SHAPE, 0, ROWS));
    seeder.close();
    console.log(`SQLite file, ${ROWS.toLocaleString('en')} seeded rows; ${INSERTS} inserts by ${WRITERS} callers per round`);

    const alone = await inserts(db, 'alone');
    let reading = true;
    const pages: number[] = [];
    const loops = Array.from({ length: READERS }, async (_, r) => {
      for (let i = 0; reading; i++) {
        const started = performance.now();
        await db.messages.list({ agentId: agentId(0), contact: contactNumber((r * 997 + i) % SHAPE.contacts), limit: 20 });
        pages.push(performance.now() - started);
      }
    });
    const beside = await inserts(db, 'beside');
    reading = false;
    await Promise.all(loops);
    console.log(`inserts/s alone                       ${Math.round(alone)}`);
    console.log(`inserts/s with ${READERS} history loops         ${Math.round(beside)} (${((beside / alone - 1) * 100).toFixed(1)} %)`);
    console.log(`history pages meanwhile (contact)     ${pages.length}, p50 ${quantile(pages, 0.5).toFixed(2)} ms, p99 ${quantile(pages, 0.99).toFixed(2)} ms`);
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
