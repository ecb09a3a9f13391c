/**
 * The `rename` part (issue 19): Better Auth's core tables renamed on a live database, from the
 * defaults to plural table names and snake_case columns (`user` → `users`, `emailVerified` →
 * `email_verified`, …, as test/auth-rename.test.ts does), on a database that holds 1,000 users
 * and N artworks owned by them, while a writer inserts artworks owned by one of those users (so
 * every insert checks `artwork_jobs_user_id_fk` against `user`, the table being renamed) and
 * another transaction holds `user` ({@link RENAME_HOLD_MS}: it read it and stays open, as a long
 * report or a session left idle in a transaction does; the migration starts 0.3 s later). Once
 * each way, each on its own identical copy:
 * - ours: the migration `migrate:make --auth` writes (`generateAuthMigration(newOptions, { madeIn:
 *   DEFAULT_AUTH_SHAPE })`), applied with `migrateToLatest(db, { authOptions, migrations })`:
 *   renames in place in short, retried lock-wait tries, and a view under each old name;
 * - naive: the same renames and views as plain statements (`alter table "user" rename to
 *   "users"`, `rename column …`, `create view …`), with the server's default lock wait (none on
 *   PostgreSQL, a year on MySQL/MariaDB): a rename queued behind the holder blocks every insert
 *   whose foreign key check needs `user`.
 *
 * The writer's worst insert of ours must stay within {@link RENAME_STALL_TARGET_MS}.
 */
import { sql, type Kysely } from 'kysely'
import { generateAuthMigration, migrateToLatest, snakeCase, type AuthOptions } from '../src/index.js'
import { DEFAULT_AUTH_SHAPE, shapeRenames } from '../src/model/auth-shape.js'
import type { AppMigrations } from '../src/migrator/migration-set.js'
import type { MigrationSchema } from '../src/model/migration-schema.js'
import { findColumn } from '../src/ddl/introspect.js'
import { fillArtworkJobs } from './fill.js'
import { addUsers, LINK_USERS } from './link.js'
import { underLoad, type MigrationRun } from './live-migration.js'
import { whileHeld } from './plugins.js'
import { createBenchDatabase, onCopy, type BenchDatabase, type ServerKind } from './servers.js'

export interface RenameResult {
  readonly rows: number
  readonly users: number
  /** How long the other transaction holds `user`. */
  readonly holdMs: number
  /** What the generated migration changes (its `adds`). */
  readonly renames: readonly string[]
  readonly ours: MigrationRun
  readonly naive: MigrationRun
}

export interface RenameOptions {
  readonly rows: number
  readonly log: (line: string) => void
}

/** How long the concurrent reader holds `user` in both runs. */
export const RENAME_HOLD_MS = 3_000
/** The owner of the writer's artworks: one of `addUsers`' users. */
const WRITER_USER = 'u-1'
const MYSQL_CHUNK = 250_000

/** The options the database moves to: plural table names, snake_case columns. */
export const RENAMED_AUTH_OPTIONS = snakeCase({
  user: { modelName: 'users' },
  session: { modelName: 'sessions' },
  account: { modelName: 'accounts' },
  verification: { modelName: 'verifications' },
}) as AuthOptions

export async function measureRename(kind: ServerKind, options: RenameOptions): Promise<RenameResult> {
  const generated = await generateAuthMigration(RENAMED_AUTH_OPTIONS, { madeIn: DEFAULT_AUTH_SHAPE, name: 'plural_snake_case' })
  if (!generated?.schema.authShape) throw new Error('the renamed options need no rename: nothing to measure')
  const migrations: AppMigrations = { [generated.name]: { schema: generated.schema } }
  const copies: BenchDatabase[] = []
  try {
    for (const label of ['rename_online', 'rename_naive']) {
      const copy = await createBenchDatabase(kind, label)
      copies.push(copy)
      options.log(`  rename: filling ${copy.name} with ${options.rows.toLocaleString('en')} artworks owned by ${LINK_USERS} users, migrated with Better Auth's defaults...`)
      await prepare(copy, kind, options.rows)
    }
    const [oursDb, naiveDb] = copies as [BenchDatabase, BenchDatabase]

    options.log(`  rename: the generated migration (${generated.adds.length} renames) with migrateToLatest while the writer inserts and a transaction holds user...`)
    const [ours] = await underLoad(
      kind,
      oursDb,
      (db) => whileHeld(oursDb, true, async () => void (await migrateToLatest(db, { authOptions: RENAMED_AUTH_OPTIONS, migrations })), RENAME_HOLD_MS),
      WRITER_USER,
    )
    await assertRenamed(oursDb)

    options.log('  rename: the plain rename statements while the writer inserts and a transaction holds user...')
    const [naive] = await underLoad(kind, naiveDb, (db) => whileHeld(naiveDb, true, () => naiveRename(db, kind, generated.schema), RENAME_HOLD_MS), WRITER_USER)
    await assertRenamed(naiveDb)
    return { rows: options.rows, users: LINK_USERS, holdMs: RENAME_HOLD_MS, renames: generated.adds, ours, naive }
  } finally {
    for (const copy of copies) await copy.drop()
  }
}

/** `artwork_jobs` with `rows` rows, Better Auth's default tables, `LINK_USERS` users, every artwork owned by one of them. */
async function prepare(copy: BenchDatabase, kind: ServerKind, rows: number): Promise<void> {
  await onCopy(copy, async (db) => {
    await fillArtworkJobs(db, kind, rows)
    await migrateToLatest(db)
    await addUsers(db)
    if (kind === 'postgres') {
      await sql`update artwork_jobs set user_id = 'u-' || (id % ${LINK_USERS})`.execute(db)
      await sql`vacuum (analyze) artwork_jobs`.execute(db)
    } else {
      for (let from = 1; from <= rows; from += MYSQL_CHUNK) {
        await sql`update artwork_jobs set user_id = concat('u-', id % ${LINK_USERS}) where id between ${from} and ${from + MYSQL_CHUNK - 1}`.execute(db)
      }
      await sql`analyze table artwork_jobs`.execute(db)
    }
  })
}

/**
 * What a developer would write by hand: the same renames and views as the generated migration,
 * one plain statement each, with the server's default lock wait.
 */
async function naiveRename(db: Kysely<any>, kind: ServerKind, schema: MigrationSchema): Promise<void> {
  const { from, to } = schema.authShape!
  await db.connection().execute(async (conn) => {
    // The server's default, stated: no bound on PostgreSQL, a year on MySQL/MariaDB.
    if (kind === 'postgres') await sql`set lock_timeout = 0`.execute(conn)
    else await sql`set session lock_wait_timeout = 31536000`.execute(conn)
    for (const table of shapeRenames(from, to).tables) {
      if (table.from !== table.to) await sql`alter table ${sql.table(table.from)} rename to ${sql.id(table.to)}`.execute(conn)
      for (const column of table.columns) {
        if (column.from !== column.to) await sql`alter table ${sql.table(table.to)} rename column ${sql.ref(column.from)} to ${sql.id(column.to)}`.execute(conn)
      }
      const columns = table.columns.map((c) => (c.from === c.to ? sql.ref(c.to) : sql`${sql.ref(c.to)} as ${sql.ref(c.from)}`))
      await sql`create view ${sql.table(table.from)} as select ${sql.join(columns)} from ${sql.table(table.to)}`.execute(conn)
    }
  })
}

/** Both ways must end renamed, or their numbers mean nothing. */
async function assertRenamed(copy: BenchDatabase): Promise<void> {
  await onCopy(copy, async (db) => {
    const missing: string[] = []
    for (const [table, column] of [['users', 'email_verified'], ['sessions', 'user_id'], ['accounts', 'provider_id'], ['verifications', 'expires_at']] as const) {
      if (!(await findColumn(db, table, column))) missing.push(`${table}.${column}`)
    }
    if (missing.length > 0) throw new Error(`the rename left no ${missing.join(', ')}`)
    const { rows } = await sql<{ n: string | number }>`select count(*) as n from ${sql.table('user')}`.execute(db)
    if (Number(rows[0]!.n) < LINK_USERS) throw new Error(`the view user shows ${rows[0]!.n} users, not ${LINK_USERS}`)
  })
}
