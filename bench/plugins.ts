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
 */
import { getMigrations } from 'better-auth/db/migration'
import { sql, type Kysely } from 'kysely'
import { connectDatabase, generateAuthMigration, migrateToLatest } from '../src/index.js'
import { PLUGIN_AUTH_OPTIONS } from '../test/support/plugin-options.js'
import { fillArtworkJobs } from './fill.js'
import { addUsers, LINK_USERS } from './link.js'
import { underLoad, type MigrationRun } from './live-migration.js'
import { createBenchDatabase, type BenchDatabase, type ServerKind } from './servers.js'

export interface PluginsResult {
  readonly rows: number
  readonly users: number
  /** What the generated migration adds (its `adds`), counted. */
  readonly adds: number
  readonly ours: MigrationRun
  readonly naive: MigrationRun
  /** How the naive run was made (it differs on MySQL/MariaDB, see above). */
  readonly naiveHow: string
}

export interface PluginsOptions {
  readonly rows: number
  readonly log: (line: string) => void
}

/** The owner of the writer's artworks: one of `addUsers`' users. */
const WRITER_USER = 'u-1'

export async function measurePlugins(kind: ServerKind, options: PluginsOptions): Promise<PluginsResult> {
  const generated = await generateAuthMigration(PLUGIN_AUTH_OPTIONS, { name: 'plugins' })
  if (!generated) throw new Error('the plugin options need no migration: nothing to measure')
  const migrations = { [generated.name]: generated.migration }
  const copies: BenchDatabase[] = []
  try {
    for (const label of ['plugins_online', 'plugins_naive']) {
      const copy = await createBenchDatabase(kind, label)
      copies.push(copy)
      options.log(`  plugins: filling ${copy.name} with ${options.rows.toLocaleString('en')} artworks and ${LINK_USERS} users, migrated to latest...`)
      await prepare(copy, kind, options.rows)
    }
    const [oursDb, naiveDb] = copies as [BenchDatabase, BenchDatabase]

    options.log(`  plugins: the generated migration (${generated.adds.length} objects) with migrateToLatest while the writer inserts...`)
    const [ours] = await underLoad(kind, oursDb, async (db) => void (await migrateToLatest(db, { migrations })), WRITER_USER)
    await assertNothingLeft(oursDb, kind)

    const naiveHow =
      kind === 'postgres'
        ? "Better Auth's getMigrations().runMigrations()"
        : "Better Auth's getMigrations().runMigrations(), after ALTER DATABASE … COLLATE utf8mb4_bin (without it: errno 150)"
    options.log(`  plugins: ${naiveHow} while the writer inserts...`)
    if (kind === 'mysql') await onCopy(naiveDb, (db) => sql`alter database ${sql.id(naiveDb.name)} character set utf8mb4 collate utf8mb4_bin`.execute(db))
    const [naive] = await underLoad(
      kind,
      naiveDb,
      async (db) => {
        const { runMigrations } = await getMigrations({ ...PLUGIN_AUTH_OPTIONS, database: { db, type: kind } })
        await runMigrations()
      },
      WRITER_USER,
    )
    return { rows: options.rows, users: LINK_USERS, adds: generated.adds.length, ours, naive, naiveHow }
  } finally {
    for (const copy of copies) await copy.drop()
  }
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

async function onCopy(copy: BenchDatabase, work: (db: Kysely<any>) => Promise<unknown>): Promise<void> {
  const { db } = await connectDatabase({ url: copy.url })
  try {
    await work(db)
  } finally {
    await db.destroy()
  }
}
