import { MikroORM as SqliteORM } from '@mikro-orm/better-sqlite';
import { MikroORM as PgORM } from '@mikro-orm/postgresql';
import { ENTITIES } from '../adapters/mikro-orm/entities.js';

const s = await SqliteORM.init({ dbName: ':memory:', entities: ENTITIES, discovery: { disableDynamicFileAccess: true } , allowGlobalContext: false });
console.log(await s.schema.getCreateSchemaSQL());
await s.close();
const pg = await PgORM.init({ clientUrl: 'postgresql://postgres@127.0.0.1:5432/test', entities: ENTITIES, discovery: { disableDynamicFileAccess: true } });
console.log(await pg.schema.getCreateSchemaSQL());
await pg.close();
