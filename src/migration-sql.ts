/**
 * The SQL the migrations run, without running it: for `migrate:latest --dry-run` (against the
 * live database), `migrate:sql` (for a fresh database, no server needed), and the checksums that
 * reveal a migration changed after it was applied (Kysely stores none). All of it is the
 * migrations' plans (`src/schema/plan.ts`), printed.
 */
import { createHash } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { SqlDialect } from './db/url.js'
import { engineForDialect, engineOf } from './engines/index.js'
import { MIGRATION_NAMES, plannable, planPending } from './migrations/index.js'
import { CatalogSnapshot } from './schema/catalog.js'
import { tableExists } from './schema/introspect.js'
import { assertNoBlockingFindings, offlineDb, planMigrations as planChain, type MigrationPlan } from './schema/plan.js'

/** One migration's statements, in the order they would run. */
export interface MigrationSql {
  readonly name: string
  readonly statements: readonly string[]
}

/**
 * The SQL that `names` (in order) would run against `db`, reading its catalog but changing
 * nothing. Migrations adapt to what they find, so this is the SQL for this database as it is now.
 *
 * @throws {SchemaConflictError} when the existing tables cannot be adopted, as `up` would.
 */
export async function planMigrations(db: Kysely<any>, names: readonly string[]): Promise<MigrationSql[]> {
  const plans = await planPending(db, names)
  assertNoBlockingFindings(plans)
  return plans.map(toSql)
}

/** The SQL every migration runs on a fresh database of `dialect`. Needs no database. */
export async function migrationSql(dialect: SqlDialect): Promise<MigrationSql[]> {
  const engine = engineForDialect(dialect)
  const db = offlineDb(engine)
  try {
    return (await planChain(CatalogSnapshot.fresh(engine), plannable(MIGRATION_NAMES), db)).map(toSql)
  } finally {
    await db.destroy()
  }
}

function toSql(plan: MigrationPlan): MigrationSql {
  return { name: plan.migration, statements: plan.steps.flatMap((step) => step.statements) }
}

/** Renders migrations' SQL as a script: a comment line per migration, statements ending in `;`. */
export function formatSql(plans: readonly MigrationSql[]): string {
  return plans
    .map(({ name, statements }) => [`-- ${name}`, ...(statements.length > 0 ? statements.map((s) => `${s};`) : ['-- (nothing to do)'])].join('\n'))
    .join('\n\n')
}

/** Where the checksum of each applied migration is kept. */
export const CHECKSUM_TABLE = 'artorizer_migration_checksums'

/**
 * A migration's fingerprint: the SHA-256 of the SQL it runs on a fresh database of the dialect.
 * It changes when the migration (or a recipe it uses) would now do something else.
 */
export async function migrationChecksums(dialect: SqlDialect): Promise<Map<string, string>> {
  return new Map((await migrationSql(dialect)).map((m) => [m.name, createHash('sha256').update(m.statements.join(';\n')).digest('hex')]))
}

/** Stores the checksums of `names` that have none yet (an existing one is never overwritten). */
export async function recordChecksums(db: Kysely<any>, names: readonly string[]): Promise<void> {
  if (names.length === 0) return
  const engine = engineOf(db)
  const types = engine.columnTypes
  await types
    .tableOptions(
      db.schema
        .createTable(CHECKSUM_TABLE)
        .ifNotExists()
        .addColumn('name', types.indexedString, (c) => c.primaryKey())
        .addColumn('checksum', types.indexedString, (c) => c.notNull()),
    )
    .execute()
  const known = new Set((await db.selectFrom(CHECKSUM_TABLE).select('name').execute()).map((r) => r.name as string))
  const checksums = await migrationChecksums(engine.sqlDialect)
  const rows = names.filter((name) => !known.has(name) && checksums.has(name)).map((name) => ({ name, checksum: checksums.get(name)! }))
  if (rows.length > 0) await db.insertInto(CHECKSUM_TABLE).values(rows).execute()
}

/** Forgets the checksums of migrations that were undone. */
export async function forgetChecksums(db: Kysely<any>, names: readonly string[]): Promise<void> {
  if (names.length === 0 || !(await tableExists(db, CHECKSUM_TABLE))) return
  await db.deleteFrom(CHECKSUM_TABLE).where('name', 'in', [...names]).execute()
}

/** The stored checksum of every applied migration that has one. */
export async function storedChecksums(db: Kysely<any>): Promise<Map<string, string>> {
  if (!(await tableExists(db, CHECKSUM_TABLE))) return new Map()
  const rows = await sql<{ name: string; checksum: string }>`select name, checksum from ${sql.table(CHECKSUM_TABLE)}`.execute(db)
  return new Map(rows.rows.map((r) => [r.name, r.checksum]))
}
