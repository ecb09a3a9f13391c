import type { Kysely } from 'kysely'
import { rereadWhenAborted } from '../engines/aborted-reads.js'
import { planMigrations, tablesOf, type PlannableMigration } from '../planner/plan.js'
import { type MigrationPlan } from '../planner/steps.js'
import { readCatalogSnapshot } from './read-snapshot.js'

/**
 * Plans `chain` (in order) against `db` as it is now: the catalog of every table it names, read
 * once. Compiled without the caller's plugins: a plan only prints SQL, it must not be seen as a query.
 */
export async function planAgainst(db: Kysely<any>, chain: readonly PlannableMigration[]): Promise<MigrationPlan[]> {
  // Read-only (it reads the catalog and compiles), and it runs before the migration lock, while
  // another Galera node may be migrating: a read aborted by its DDL is read again.
  return rereadWhenAborted(db, async () => {
    const snapshot = await readCatalogSnapshot(db, tablesOf(chain.map((m) => m.schema)))
    return planMigrations(snapshot, chain, db.withoutPlugins())
  })
}
