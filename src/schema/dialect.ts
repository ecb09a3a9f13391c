import { MysqlAdapter, type Kysely } from 'kysely'
import { PGliteAdapter } from '../db/pglite-dialect.js'
import type { SqlDialect } from '../db/url.js'

/**
 * The engine a Kysely instance talks to, read from its adapter so that migrations (which
 * receive only a `Kysely<any>`) need no extra argument. `pglite` is PostgreSQL with a single
 * connection and no concurrent writers, where online-DDL precautions are pointless.
 */
export type Engine = 'postgres' | 'pglite' | 'mysql'

export function engineOf(db: Kysely<any>): Engine {
  const adapter = db.getExecutor().adapter
  if (adapter instanceof MysqlAdapter) return 'mysql'
  if (adapter instanceof PGliteAdapter) return 'pglite'
  return 'postgres'
}

export function sqlDialectOfDb(db: Kysely<any>): SqlDialect {
  return engineOf(db) === 'mysql' ? 'mysql' : 'postgres'
}
