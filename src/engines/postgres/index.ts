/** PostgreSQL: the engine behind `postgres://` URLs. */
import { PostgresQueryCompiler } from 'kysely'
import type { Engine } from '../engine.js'
import { connectionOf } from '../target.js'
import { createPostgresDialect, POSTGRES_DEFAULT_PORT } from './connect.js'
import { postgresCatalog } from './catalog.js'
import { postgresCatalogColumn, postgresCatalogTypes, postgresColumnTypes } from './column-types.js'
import { postgresErrors } from './errors.js'
import { PostgresLockingAdapter } from './migration-lock.js'
import { postgresDdl } from './online-ddl.js'
import { postgresReplication } from './replication.js'

export const postgres: Engine = {
  name: 'postgres',
  sqlDialect: 'postgres',
  columnTypes: postgresColumnTypes,
  catalogTypes: postgresCatalogTypes,
  catalogColumn: postgresCatalogColumn,
  indexNeedsBoundedString: false,
  catalog: postgresCatalog,
  ddl: postgresDdl(postgresErrors, { online: true }),
  errors: postgresErrors,
  sqlScriptNote: '-- Run outside a transaction: CREATE INDEX CONCURRENTLY cannot run inside one.',
  defaultPort: POSTGRES_DEFAULT_PORT,
  createDialect: (target, options) => createPostgresDialect(connectionOf(target), options),
  replication: postgresReplication,
  createAdapter: (options) => new PostgresLockingAdapter(options),
  createQueryCompiler: () => new PostgresQueryCompiler(),
  forServer: async () => postgres,
}
