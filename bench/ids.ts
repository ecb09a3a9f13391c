/**
 * The `ids` part (issue 19): Better Auth's ids of another type on a live database
 * (`advanced.database.generateId` from string ids to `'uuid'`), on a database whose core tables
 * `user`, `session`, `account` and `verification` are still empty and whose `artwork_jobs` holds
 * N artworks, none linked to a user (`user_id` NULL), while a writer inserts artworks (with no
 * owner: there is no user). Once each way, each on its own identical copy:
 * - ours: the migration `migrate:make --auth` writes (`generateAuthMigration(newOptions, { madeIn:
 *   DEFAULT_AUTH_SHAPE })`), applied with `migrateToLatest(db, { authOptions, migrations })`: the
 *   foreign keys dropped, the empty tables' columns retyped in place, `artwork_jobs.user_id`
 *   dropped and added again in the new type (metadata only) with its indexes rebuilt online, the
 *   keys added back;
 * - naive: what a developer would write by hand: the same foreign keys dropped, every id and
 *   reference retyped in place (`ALTER COLUMN … TYPE uuid USING …::uuid` on PostgreSQL, `MODIFY
 *   COLUMN … varchar(36)` on MySQL/MariaDB), `artwork_jobs.user_id` too (a rewrite of the whole
 *   table under PostgreSQL's ACCESS EXCLUSIVE lock, a table copy that blocks writes on
 *   MySQL/MariaDB), then the keys added back, with the server's default lock wait.
 *
 * Both are driven by the generated migration's `authShape.ids`, so both make the same change,
 * and both must end with `artwork_jobs.user_id` of the new type and every artwork (else the run
 * throws). Ours failing (its lock retries spent) is reported as such, not thrown: that is a result.
 * The writer's worst insert of ours must stay within {@link ID_CHANGE_STALL_TARGET_MS}.
 */
import { sql, type Kysely, type KyselyPlugin, type RootOperationNode } from 'kysely'
import { generateAuthMigration, migrateToLatest, type AuthOptions } from '../src/index.js'
import { DEFAULT_AUTH_SHAPE } from '../src/model/auth-shape.js'
import type { AppMigrations } from '../src/migrator/migration-set.js'
import type { IdChangeModel } from '../src/model/migration-schema.js'
import { findColumn, tableExists } from '../src/ddl/introspect.js'
import { fillArtworkJobs } from './fill.js'
import { underLoad, type MigrationRun } from './live-migration.js'
import { createBenchDatabase, onCopy, type BenchDatabase, type ServerKind } from './servers.js'

export interface IdChangeResult {
  readonly rows: number
  readonly ours: MigrationRun
  readonly naive: MigrationRun
  /**
   * Why ours did not finish, when it did not (its error's message): the run is still reported,
   * the writer measured until the migration gave up, and the target counts as missed.
   */
  readonly oursFailure?: string
  /**
   * The schema changes ours sent more than once, most tries first: each try of a statement that
   * gave way after its short lock wait (see src/engines/lock-wait.ts) and was tried again.
   */
  readonly oursRetried: readonly { readonly sql: string; readonly tries: number }[]
}

export interface IdChangeOptions {
  readonly rows: number
  readonly log: (line: string) => void
}

/** The options the database moves to: uuid ids, everything else Better Auth's defaults. */
export const UUID_AUTH_OPTIONS = { advanced: { database: { generateId: 'uuid' } } } as AuthOptions

/** `artwork_jobs.user_id` as each server reads it back once the ids are uuids. */
const UUID_TYPE: Record<ServerKind, string> = { postgres: 'uuid', mysql: 'varchar(36)' }

export async function measureIdChange(kind: ServerKind, options: IdChangeOptions): Promise<IdChangeResult> {
  const generated = await generateAuthMigration(UUID_AUTH_OPTIONS, { madeIn: DEFAULT_AUTH_SHAPE, name: 'uuid_ids' })
  const ids = generated?.schema.authShape?.ids
  if (!generated || !ids) throw new Error('the uuid options change no ids: nothing to measure')
  const migrations: AppMigrations = { [generated.name]: { schema: generated.schema } }
  const copies: BenchDatabase[] = []
  try {
    for (const label of ['ids_online', 'ids_naive']) {
      const copy = await createBenchDatabase(kind, label)
      copies.push(copy)
      options.log(`  ids: filling ${copy.name} with ${options.rows.toLocaleString('en')} artworks (no users), migrated with Better Auth's defaults (string ids)...`)
      await onCopy(copy, async (db) => {
        await fillArtworkJobs(db, kind, options.rows)
        await migrateToLatest(db)
      })
    }
    const [oursDb, naiveDb] = copies as [BenchDatabase, BenchDatabase]

    options.log(`  ids: the generated migration (${generated.adds.join(', ')}) with migrateToLatest while the writer inserts...`)
    let oursFailure: string | undefined
    const tries = new Map<string, number>()
    const [ours] = await underLoad(kind, oursDb, async (db) => {
      try {
        await migrateToLatest(db.withPlugin(countingSchemaChanges(db, tries)), { authOptions: UUID_AUTH_OPTIONS, migrations })
      } catch (error) {
        oursFailure = error instanceof Error ? error.message : String(error)
      }
    })
    const oursRetried = [...tries].filter(([, n]) => n > 1).map(([text, n]) => ({ sql: text, tries: n })).sort((a, b) => b.tries - a.tries)
    if (oursFailure !== undefined) options.log(`  ids: ❌ the generated migration did not finish: ${oursFailure}`)
    else await assertRetyped(oursDb, kind, options.rows)

    options.log('  ids: the plain ALTER COLUMN statements while the writer inserts...')
    const [naive] = await underLoad(kind, naiveDb, (db) => naiveIdChange(db, kind, ids))
    await assertRetyped(naiveDb, kind, options.rows)
    return { rows: options.rows, ours, naive, oursRetried, ...(oursFailure !== undefined ? { oursFailure } : {}) }
  } finally {
    for (const copy of copies) await copy.drop()
  }
}

/**
 * What a developer would write by hand: the foreign keys to the ids dropped, every id and every
 * reference retyped in place (`artwork_jobs.user_id` too), the keys added back, one plain
 * statement each, with the server's default lock wait.
 */
async function naiveIdChange(db: Kysely<any>, kind: ServerKind, ids: IdChangeModel): Promise<void> {
  await db.connection().execute(async (conn) => {
    // The server's default, stated: no bound on PostgreSQL, a year on MySQL/MariaDB.
    if (kind === 'postgres') await sql`set lock_timeout = 0`.execute(conn)
    else await sql`set session lock_wait_timeout = 31536000`.execute(conn)
    const references = []
    for (const ref of ids.references) if (await tableExists(conn, ref.table)) references.push(ref)
    for (const ref of references) {
      const drop = kind === 'postgres' ? sql`drop constraint ${sql.id(ref.foreignKey)}` : sql`drop foreign key ${sql.id(ref.foreignKey)}`
      await sql`alter table ${sql.table(ref.table)} ${drop}`.execute(conn)
    }
    const retype = (table: string, column: string, nullable: boolean, id: boolean) =>
      kind === 'postgres'
        ? sql`alter table ${sql.table(table)} alter column ${sql.ref(column)} type uuid using ${sql.ref(column)}::uuid${id ? sql`, alter column ${sql.ref(column)} set default gen_random_uuid()` : sql``}`
        : sql`alter table ${sql.table(table)} modify column ${sql.ref(column)} varchar(36) character set utf8mb4 collate utf8mb4_bin ${nullable ? sql`null` : sql`not null`}`
    for (const key of ids.tables) await retype(key.table, key.column, false, true).execute(conn)
    for (const ref of references) await retype(ref.table, ref.column, ref.nullable, false).execute(conn)
    for (const ref of references) {
      await sql`alter table ${sql.table(ref.table)} add constraint ${sql.id(ref.foreignKey)}
        foreign key (${sql.ref(ref.column)}) references ${sql.table(ref.references.table)} (${sql.ref(ref.references.column)}) on delete cascade`.execute(conn)
    }
  })
}

/** Counts every `alter table` sent through the db it is added to, by its SQL (compiled by `db`, without the plugin). */
function countingSchemaChanges(db: Kysely<any>, tries: Map<string, number>): KyselyPlugin {
  return {
    transformQuery({ node, queryId }) {
      const text = db.getExecutor().compileQuery(node as RootOperationNode, queryId).sql.replace(/\s+/g, ' ').trim()
      if (/^alter table/i.test(text)) tries.set(text, (tries.get(text) ?? 0) + 1)
      return node
    },
    transformResult: async ({ result }) => result,
  }
}

/** Both ways must end with uuid references and every artwork, or their numbers mean nothing. */
async function assertRetyped(copy: BenchDatabase, kind: ServerKind, rows: number): Promise<void> {
  await onCopy(copy, async (db) => {
    const column = await findColumn(db, 'artwork_jobs', 'user_id')
    if (column?.type !== UUID_TYPE[kind]) throw new Error(`${copy.name}: artwork_jobs.user_id is ${column?.type ?? 'missing'}, not ${UUID_TYPE[kind]}`)
    const { rows: counted } = await sql<{ n: string | number }>`select count(*) as n from artwork_jobs`.execute(db)
    if (Number(counted[0]!.n) < rows) throw new Error(`${copy.name}: artwork_jobs holds ${counted[0]!.n} artworks, not at least ${rows}`)
  })
}
