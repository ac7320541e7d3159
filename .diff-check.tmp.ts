import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM as SqliteORM } from '@mikro-orm/better-sqlite';
import { MikroORM as PgORM } from '@mikro-orm/postgresql';
import { ENTITIES } from './adapters/mikro-orm/entities.js';
import sqlitePlugin from './adapters/mikro-orm/sqlite-plugin.js';
import postgresqlPlugin from './adapters/mikro-orm/postgresql-plugin.js';
import { databasePluginContext } from './contracts/database.js';

const dir = await mkdtemp(join(tmpdir(), 'diff-'));
const db = await sqlitePlugin.create({ path: join(dir, 'x.sqlite') }, databasePluginContext(dir));
console.log(await db.migrate());
await db.close();
const orm = await SqliteORM.init({ dbName: join(dir, 'x.sqlite'), entities: ENTITIES, discovery: { disableDynamicFileAccess: true } });
console.log('SQLITE DIFF:', JSON.stringify((await orm.schema.getUpdateSchemaSQL({ wrap: false })).trim()));
await orm.close(true);

const url = 'postgresql://postgres@127.0.0.1:5432/test';
const schema = 't_diffcheck';
const pg = await postgresqlPlugin.create({ url, schema }, databasePluginContext(dir));
console.log(await pg.migrate());
await pg.close();
const porm = await PgORM.init({ clientUrl: url, schema, entities: ENTITIES, discovery: { disableDynamicFileAccess: true }, ensureDatabase: false });
console.log('PG DIFF:', JSON.stringify((await porm.schema.getUpdateSchemaSQL({ wrap: false, schema })).trim()));
await porm.em.getConnection().execute(`drop schema "${schema}" cascade`);
await porm.close(true);
