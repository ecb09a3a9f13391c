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
  /** The same without the guards around them (lock waits, transactions): what the checksum covers. */
  readonly schemaStatements: readonly string[]
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
  return {
    name: plan.migration,
    statements: plan.steps.flatMap((step) => step.statements),
    schemaStatements: plan.steps.flatMap((step) => step.schemaStatements),
  }
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
 * A migration's fingerprint: the SHA-256 of the schema statements it runs on a fresh database of
 * the dialect (not the guards around them: how long a statement waits for its lock may be tuned
 * without the migration doing anything else). It changes when the migration (or a recipe it
 * uses) would now change the schema differently.
 */
export async function migrationChecksums(dialect: SqlDialect): Promise<Map<string, string>> {
  return new Map((await migrationSql(dialect)).map((m) => [m.name, createHash('sha256').update(m.schemaStatements.join(';\n')).digest('hex')]))
}

/**
 * The checksums 0.1.0 stored, which also hashed its lock-wait settings (`set lock_timeout =
 * '2000ms'`, `set session lock_wait_timeout = 2`, ...). The schema statements of these
 * migrations are unchanged since, so a database migrated by 0.1.0 is not reported as drifted.
 */
const CHECKSUMS_OF_0_1_0: Readonly<Record<SqlDialect, Readonly<Record<string, string>>>> = {
  postgres: {
    '0001_better_auth': 'c8f1bd7482bb9320865b3030f48a6d070c06bb1d9021afc66ef0454d65b50979',
    '0002_artorizer_user_link': 'ef584b31054c7c6a28d36b45bf29c46db5ef4bfe1c84dcd85f9c371369f2907f',
    '0003_indexes': '4eb8301875e36acde3f7136489dbe2b7943d2edc387e65caa4eeaf61001d4023',
  },
  mysql: {
    '0001_better_auth': '7753646f12c17debd0a105cc48a94778d5ecfacade84106b4c2bd88e161e1c95',
    '0002_artorizer_user_link': '587a6bb3a9f838dd3da4a337d1d048d9f72d7d65d3929dcf5ee11448657a071e',
    '0003_indexes': '14403a0c7ea8fd1af08da595645d9aa7099405a085a5cbaa93aeb8420531ccc2',
  },
}

/** Whether a stored checksum says `name` runs what it ran when applied (by this version or 0.1.0). */
export function checksumMatches(dialect: SqlDialect, name: string, stored: string, current: ReadonlyMap<string, string>): boolean {
  return stored === current.get(name) || stored === CHECKSUMS_OF_0_1_0[dialect][name]
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
