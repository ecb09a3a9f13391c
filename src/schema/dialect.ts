import type { Kysely } from 'kysely'
import type { SqlDialect } from '../db/url.js'
import { engineOf } from '../engines/index.js'

/** The SQL family `db` speaks (PGlite speaks PostgreSQL). */
export function sqlDialectOfDb(db: Kysely<any>): SqlDialect {
  return engineOf(db).sqlDialect
}
