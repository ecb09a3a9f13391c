/**
 * PGlite, the embedded PostgreSQL: PostgreSQL's types, catalog and errors, with one connection
 * and no concurrent writers, so its DDL skips the online precautions (short lock waits,
 * `CONCURRENTLY`, `NOT VALID`) and it needs no migration lock beyond its folder lock.
 */
import { postgres } from '../postgres/index.js'
import { postgresDdl } from '../postgres/online-ddl.js'
import type { Engine } from '../engine.js'
import { createPgliteDialect } from './connect.js'
import { PGliteAdapter } from './dialect.js'

export const pglite: Engine = {
  ...postgres,
  name: 'pglite',
  // No server, no session ids: progress watchers have nothing to look up.
  catalog: { ...postgres.catalog, sessionId: async () => undefined },
  ddl: postgresDdl(postgres.errors, { online: false }),
  defaultPort: undefined,
  createDialect: (target, options) => createPgliteDialect('dataDir' in target ? target.dataDir : undefined, options),
  // Embedded: never a standby, and nothing to ask.
  replication: async () => ({ standby: false }),
  createAdapter: () => new PGliteAdapter(),
  forServer: async () => pglite,
}
