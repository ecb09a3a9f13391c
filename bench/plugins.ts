/**
 * The `plugins` part (issue 10): the plugin set of test/support/plugin-options.ts (organization
 * with teams, two-factor, admin, username, passkey, API keys, six additional fields) added to a
 * database that already holds 1,000 users and N artworks, while a writer inserts artworks owned
 * by one of those users (so every insert checks `artwork_jobs_user_id_fk` against `user`, the
 * table the migration alters), once each way, each on its own identical copy:
 * - ours: the migration `migrate:make --auth` would write (`generateAuthMigration`), applied
 *   with `migrateToLatest(db, { migrations })`: online recipes, bounded lock waits;
 * - naive: Better Auth's own `getMigrations(options).runMigrations()`, plain DDL with no lock
 *   bounds. On MySQL/MariaDB it fails half-way on this schema (its new `userId` columns take the
 *   database's default collation, `user.id` is `utf8mb4_bin`: errno 150), so there the database's
 *   default collation is first set to `utf8mb4_bin`, the workaround an operator would reach for.
 *
 * Then both again on two more copies while another transaction holds `user` (it read it and
 * stays open {@link HOLD_MS}, as a long report or a session left idle in a transaction does; the
 * migration starts {@link START_AFTER_MS} later): the naive ALTER of `user` queues for its lock,
 * and every insert of an artwork, whose foreign key check must lock its owner's row, queues
 * behind it, where ours waits its turn in short retried tries (as the `busy` part measures for
 * `artwork_jobs`), target {@link BUSY_TABLE_TARGET_MS}.
 */
import { getMigrations } from 'better-auth/db/migration'
import { sql } from 'kysely'
import { connectDatabase, generateAuthMigration, migrateToLatest } from '../src/index.js'
import { PLUGIN_AUTH_OPTIONS } from '../test/support/plugin-options.js'
import { fillArtworkJobs } from './fill.js'
import { addUsers, LINK_USERS } from './link.js'
import { BUSY_TABLE_TARGET_MS } from './busy-table.js'
import { underLoad, type MigrationRun } from './live-migration.js'
import { createBenchDatabase, onCopy, type BenchDatabase, type ServerKind } from './servers.js'

export interface PluginsResult {
  readonly rows: number
  readonly users: number
  /** What the generated migration adds (its `adds`), counted. */
  readonly adds: number
  readonly ours: MigrationRun
  readonly naive: MigrationRun
  /** The same two while another transaction holds `user` for `holdMs`. */
  readonly busy: { readonly holdMs: number; readonly targetMs: number; readonly ours: MigrationRun; readonly naive: MigrationRun }
  /** How the naive run was made (it differs on MySQL/MariaDB, see above). */
  readonly naiveHow: string
}

export interface PluginsOptions {
  readonly rows: number
  readonly log: (line: string) => void
}

/** The owner of the writer's artworks: one of `addUsers`' users. */
const WRITER_USER = 'u-1'
const HOLD_MS = 4_000
const START_AFTER_MS = 300

export async function measurePlugins(kind: ServerKind, options: PluginsOptions): Promise<PluginsResult> {
  const generated = await generateAuthMigration(PLUGIN_AUTH_OPTIONS, { name: 'plugins' })
  if (!generated) throw new Error('the plugin options need no migration: nothing to measure')
  const migrations = { [generated.name]: generated.migration }
  const copies: BenchDatabase[] = []
  try {
    for (const label of ['plugins_online', 'plugins_naive', 'plugins_busy_online', 'plugins_busy_naive']) {
      const copy = await createBenchDatabase(kind, label)
      copies.push(copy)
      options.log(`  plugins: filling ${copy.name} with ${options.rows.toLocaleString('en')} artworks and ${LINK_USERS} users, migrated to latest...`)
      await prepare(copy, kind, options.rows)
    }
    const [oursDb, naiveDb, busyOursDb, busyNaiveDb] = copies as [BenchDatabase, BenchDatabase, BenchDatabase, BenchDatabase]
    const naiveHow =
      kind === 'postgres'
        ? "Better Auth's getMigrations().runMigrations()"
        : "Better Auth's getMigrations().runMigrations(), after ALTER DATABASE … COLLATE utf8mb4_bin (without it: errno 150)"
    const runOurs = async (copy: BenchDatabase, busy: boolean): Promise<MigrationRun> => {
      options.log(`  plugins: the generated migration (${generated.adds.length} objects) with migrateToLatest while the writer inserts${busy ? ' and a transaction holds user' : ''}...`)
      const [run] = await underLoad(kind, copy, (db) => whileHeld(copy, busy, async () => void (await migrateToLatest(db, { migrations }))), WRITER_USER)
      await assertNothingLeft(copy, kind)
      return run
    }
    const runNaive = async (copy: BenchDatabase, busy: boolean): Promise<MigrationRun> => {
      options.log(`  plugins: ${naiveHow} while the writer inserts${busy ? ' and a transaction holds user' : ''}...`)
      if (kind === 'mysql') await onCopy(copy, (db) => sql`alter database ${sql.id(copy.name)} character set utf8mb4 collate utf8mb4_bin`.execute(db))
      const [run] = await underLoad(
        kind,
        copy,
        (db) =>
          whileHeld(copy, busy, async () => {
            const { runMigrations } = await getMigrations({ ...PLUGIN_AUTH_OPTIONS, database: { db, type: kind } })
            await runMigrations()
          }),
        WRITER_USER,
      )
      return run
    }
    const ours = await runOurs(oursDb, false)
    const naive = await runNaive(naiveDb, false)
    const busy = { holdMs: HOLD_MS, targetMs: BUSY_TABLE_TARGET_MS, ours: await runOurs(busyOursDb, true), naive: await runNaive(busyNaiveDb, true) }
    return { rows: options.rows, users: LINK_USERS, adds: generated.adds.length, ours, naive, busy, naiveHow }
  } finally {
    for (const copy of copies) await copy.drop()
  }
}

/**
 * Runs `migrate`; when `busy`, first opens a transaction on a connection of its own that reads
 * `user` and stays open `holdMs` ({@link HOLD_MS} unless given), and starts `migrate`
 * {@link START_AFTER_MS} later. Also the `rename` part's (bench/rename.ts).
 */
export async function whileHeld(copy: BenchDatabase, busy: boolean, migrate: () => Promise<void>, holdMs = HOLD_MS): Promise<void> {
  if (!busy) return migrate()
  const holder = await connectDatabase({ url: copy.url })
  try {
    const held = holder.db.connection().execute(async (conn) => {
      await sql`begin`.execute(conn)
      await sql`select count(*) from ${sql.table('user')}`.execute(conn)
      await sleep(holdMs)
      await sql`commit`.execute(conn)
    })
    await sleep(START_AFTER_MS)
    await migrate()
    await held
  } finally {
    await holder.db.destroy()
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

async function prepare(copy: BenchDatabase, kind: ServerKind, rows: number): Promise<void> {
  await onCopy(copy, async (db) => {
    await fillArtworkJobs(db, kind, rows)
    await migrateToLatest(db)
    await addUsers(db)
  })
}

/** Ours must leave nothing for Better Auth to create or add, or its numbers mean nothing. */
async function assertNothingLeft(copy: BenchDatabase, kind: ServerKind): Promise<void> {
  await onCopy(copy, async (db) => {
    const plan = await getMigrations({ ...PLUGIN_AUTH_OPTIONS, database: { db, type: kind } }, { throwOnUnsafe: false })
    const left = [...plan.toBeCreated.map((t) => t.table), ...plan.toBeAdded.map((t) => `${t.table}(${Object.keys(t.fields).join(', ')})`)]
    if (left.length > 0) throw new Error(`the generated migration left Better Auth something to do: ${left.join(', ')}`)
  })
}
