/**
 * The SQL the migrations run, without running it: for `migrate:latest --dry-run` (against the
 * live database), `migrate:sql` (for a fresh database, no server needed), and the checksums that
 * reveal a migration changed after it was applied (Kysely stores none). All of it is the
 * migrations' plans (`src/planner/plan.ts`), printed.
 */
import { createHash } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { SqlDialect } from '../database-url/url.js'
import { engineForDialect, engineOf } from '../engines/index.js'
import { MIGRATION_NAMES, plannable } from '../migrations/index.js'
import { migrationSet, type AppMigrations } from './migration-set.js'
import { CatalogSnapshot } from '../planner/catalog-snapshot.js'
import { tableExists } from '../ddl/introspect.js'
import { ensureBookkeepingTable, inTransaction } from '../ddl/bookkeeping-table.js'
import { assertNoBlockingFindings, planMigrations } from '../planner/plan.js'
import { offlineDb } from '../planner/offline-db.js'
import { type MigrationPlan } from '../planner/steps.js'
import { DEFAULT_AUTH_SHAPE, normalizeShape, type AuthShape } from '../model/auth-shape.js'
import { planAgainst } from '../ddl/plan-against.js'

/** One migration's statements, in the order they would run. */
export interface MigrationSql {
  readonly name: string
  readonly statements: readonly string[]
  /** The same without the guards around them (lock waits, transactions): what the checksum covers. */
  readonly schemaStatements: readonly string[]
}

/**
 * The SQL that `names` (in order; the module's, or the application's `migrations` too) would run
 * against `db`, reading its catalog but changing nothing. Migrations adapt to what they find, so
 * this is the SQL for this database as it is now. Plain Kysely migrations have no plan: they are
 * left out.
 *
 * @throws {SchemaConflictError} when the existing tables cannot be adopted, as `up` would.
 */
export async function pendingMigrationSql(
  db: Kysely<any>,
  names: readonly string[],
  options: { readonly migrations?: AppMigrations; readonly shape?: AuthShape } = {},
): Promise<MigrationSql[]> {
  const plans = await planAgainst(db, migrationSet(options.migrations, options.shape).plannable(names))
  assertNoBlockingFindings(plans)
  return plans.map(toSql)
}

/**
 * The SQL every migration runs on a fresh database of `dialect`, with Better Auth's core tables
 * in `shape` (its defaults unless given). Needs no database.
 */
export async function migrationSql(dialect: SqlDialect, shape: AuthShape = DEFAULT_AUTH_SHAPE): Promise<MigrationSql[]> {
  const engine = engineForDialect(dialect)
  const db = offlineDb(engine)
  try {
    return (await planMigrations(CatalogSnapshot.fresh(engine), plannable(MIGRATION_NAMES, shape), db)).map(toSql)
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
 * uses) would now change the schema differently. The core tables' shape is part of what a
 * migration makes, so each shape has its own. Computed once per dialect, shape and process: it
 * depends on the code alone.
 */
export function migrationChecksums(dialect: SqlDialect, shape: AuthShape = DEFAULT_AUTH_SHAPE): Promise<Map<string, string>> {
  const key = `${dialect} ${JSON.stringify(normalizeShape(shape))}`
  let checksums = computed.get(key)
  if (!checksums) {
    checksums = migrationSql(dialect, shape).then((plans) => new Map(plans.map((m) => [m.name, sha256(m.schemaStatements.join(';\n'))])))
    checksums.catch(() => computed.delete(key))
    computed.set(key, checksums)
  }
  return checksums
}
const computed = new Map<string, Promise<Map<string, string>>>()

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/**
 * Checksums that earlier versions recorded for a migration whose SQL has changed since in how it
 * runs, not in what it makes, so that a database migrated before shows no drift. Each entry
 * says why; a new entry needs the same proof (same schema after, `migrate:sql` diff reviewed).
 *
 * - 0.1.0 (through the schema-model refactor, whose SQL is identical) hashed every statement,
 *   lock-wait settings included (`set lock_timeout = '2000ms'`, `set session lock_wait_timeout =
 *   2`); checksums now cover the schema statements alone (issue 11, lock retries).
 * - 0001 and 0002 on PostgreSQL: the indexes of the tables they create are built plainly instead
 *   of `CONCURRENTLY` (and without `set max_parallel_maintenance_workers`), since those tables
 *   are empty and unseen; same indexes, same names (issue 12, item 7).
 */
export const SUPERSEDED_CHECKSUMS: Readonly<Record<SqlDialect, Readonly<Record<string, readonly string[]>>>> = {
  postgres: {
    '0001_better_auth': ['c8f1bd7482bb9320865b3030f48a6d070c06bb1d9021afc66ef0454d65b50979'],
    '0002_artorizer_user_link': ['ef584b31054c7c6a28d36b45bf29c46db5ef4bfe1c84dcd85f9c371369f2907f'],
    '0003_indexes': ['4eb8301875e36acde3f7136489dbe2b7943d2edc387e65caa4eeaf61001d4023'],
  },
  mysql: {
    '0001_better_auth': ['7753646f12c17debd0a105cc48a94778d5ecfacade84106b4c2bd88e161e1c95'],
    '0002_artorizer_user_link': ['587a6bb3a9f838dd3da4a337d1d048d9f72d7d65d3929dcf5ee11448657a071e'],
    '0003_indexes': ['14403a0c7ea8fd1af08da595645d9aa7099405a085a5cbaa93aeb8420531ccc2'],
  },
}

/** Whether `stored` (a checksum recorded when `name` was applied) is what this code runs, or a superseded form of it. */
export function checksumMatches(dialect: SqlDialect, name: string, stored: string, current: string | undefined): boolean {
  return stored === current || (SUPERSEDED_CHECKSUMS[dialect][name] ?? []).includes(stored)
}

async function ensureChecksumTable(db: Kysely<any>): Promise<void> {
  await ensureBookkeepingTable(db, CHECKSUM_TABLE, (table, types) =>
    table.addColumn('name', types.indexedString, (c) => c.primaryKey()).addColumn('checksum', types.indexedString, (c) => c.notNull()),
  )
}

/**
 * Records the checksum of `name`, which is being applied now: called by the migration's own step,
 * before Kysely's Migrator writes its `kysely_migration` row, so that whoever runs it (the CLI,
 * `migrateToLatest` at boot, kysely-ctl) records it and no applied migration is left without
 * one. A kill between the two leaves a checksum for a migration not yet applied, which the
 * rerun overwrites (and which nothing reads meanwhile). Replaces any older one: it describes
 * the code applying the migration now.
 */
export async function recordChecksum(db: Kysely<any>, name: string, shape: AuthShape = DEFAULT_AUTH_SHAPE): Promise<void> {
  const checksum = (await migrationChecksums(engineOf(db).sqlDialect, shape)).get(name)
  if (checksum === undefined) return
  await ensureChecksumTable(db)
  const replace = async (trx: Kysely<any>): Promise<void> => {
    await trx.deleteFrom(CHECKSUM_TABLE).where('name', '=', name).execute()
    await trx.insertInto(CHECKSUM_TABLE).values({ name, checksum }).execute()
  }
  await inTransaction(db, replace)
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
