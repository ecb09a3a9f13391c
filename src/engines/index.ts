/**
 * The engines, and {@link engineOf}: which one a `Kysely` instance talks to, read from its
 * adapter so that migrations (which receive only a `Kysely<any>`) need no extra argument.
 */
import { MysqlAdapter, type Kysely } from 'kysely'
import type { DatabaseTarget, SqlDialect } from '../database-url/url.js'
import type { Engine } from './engine.js'
import { mysql } from './mysql/index.js'
import { PGLITE_ADAPTER, PGliteAdapter } from './pglite/dialect.js'
import { pglite } from './pglite/index.js'
import { postgres } from './postgres/index.js'

export type { Engine, EngineName } from './engine.js'
export { mysql, pglite, postgres }

export function engineOf(db: Kysely<any>): Engine {
  const adapter = db.getExecutor().adapter
  // By brand and class name too, not only by class: a migration file loaded through another
  // loader may hold its own copy of this module (and of Kysely), whose classes are not these.
  if (adapter instanceof MysqlAdapter || adapter.constructor.name === 'MysqlAdapter') return mysql
  if (adapter instanceof PGliteAdapter || (adapter as { [PGLITE_ADAPTER]?: boolean })[PGLITE_ADAPTER] === true) return pglite
  return postgres
}

/** The engine that writes `dialect`'s SQL for a database that does not exist yet (`migrate:sql`). */
export function engineForDialect(dialect: SqlDialect): Engine {
  return dialect === 'mysql' ? mysql : postgres
}

/** The engine a parsed `DATABASE_URL` names. */
export function engineForTarget(target: DatabaseTarget): Engine {
  return { postgres, mysql, pglite }[target.kind]
}
