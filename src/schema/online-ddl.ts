/**
 * Online-DDL recipes: how each engine changes a table that may be large and busy without
 * blocking its writers for long. Every recipe is idempotent (it looks before it acts), records
 * what it creates in the ledger first, and so can be rerun after a crash between any two steps.
 *
 * PostgreSQL
 * - Statements that need a strong table lock (add/drop column, add/drop constraint) run with a
 *   short `lock_timeout`, retried a few times: waiting in the lock queue would block every
 *   writer queued behind us.
 * - Foreign keys are added `NOT VALID` (a brief lock, no scan) and validated separately (a scan
 *   that lets writes through).
 * - Indexes are built `CONCURRENTLY`, outside any transaction; an INVALID index left by an
 *   interrupted build is dropped and rebuilt.
 * MySQL / MariaDB
 * - A short `lock_wait_timeout` for the metadata lock, retried, restored afterwards.
 * - Columns are added `ALGORITHM=INSTANT` (falling back to `INPLACE, LOCK=NONE` where the
 *   table's format does not allow instant DDL), indexes `ALGORITHM=INPLACE, LOCK=NONE`.
 * - Foreign keys are added with `foreign_key_checks=0` and `ALGORITHM=INPLACE`, which skips the
 *   table copy; that is safe only when no row can violate the key, so the recipe first checks
 *   for orphans (a new column is all NULL and has none).
 * PGlite has one connection and no concurrent writers: plain statements.
 */
import { sql, type CreateTableBuilder, type Kysely } from 'kysely'
import { AuthDbError, SchemaConflictError, describeError } from '../errors.js'
import type { DataTypeExpression } from './column-types.js'
import { announceIndexBuild } from './ddl-progress.js'
import { engineOf, type Engine } from './dialect.js'
import { findColumn, listForeignKeys, listIndexes, tableExists, type ColumnInfo, type ForeignKeyInfo, type IndexInfo } from './introspect.js'
import { createdBy, forgetCreation, recordCreation, type LedgerEntry } from './ledger.js'
import { currentPlan } from './plan.js'

/** `created`: made now; `present`: already there by that name; `adopted`: an equivalent exists. */
export type EnsureResult = 'created' | 'present' | 'adopted'

export interface IndexSpec {
  readonly table: string
  readonly name: string
  readonly columns: readonly string[]
  readonly unique?: boolean
}

export interface ForeignKeySpec {
  readonly table: string
  readonly name: string
  readonly column: string
  readonly referencedTable: string
  readonly referencedColumn: string
}

export interface ColumnSpec {
  readonly table: string
  readonly column: string
  /** The full SQL type, e.g. read from the referenced column so that both match exactly. */
  readonly type: DataTypeExpression
}

/** How long one DDL statement may wait for a table lock before it gives way and retries. */
export const DDL_LOCK_TIMEOUT_MS = 2_000
const DDL_LOCK_ATTEMPTS = 5

export class LockTimeoutError extends AuthDbError {
  override name = 'LockTimeoutError'
}

/** Adds a nullable column without rewriting or long-locking the table. */
export async function ensureNullableColumn(db: Kysely<any>, migration: string, spec: ColumnSpec): Promise<EnsureResult> {
  if (await findColumn(db, spec.table, spec.column)) return 'present'
  await recordCreation(db, migration, { kind: 'column', table: spec.table, name: spec.column })
  const type = typeof spec.type === 'string' ? sql.raw(spec.type) : spec.type
  const add = sql`alter table ${sql.table(spec.table)} add column ${sql.ref(spec.column)} ${type} null`
  await onOneConnection(db, async (conn) => {
    const engine = engineOf(conn)
    if (engine === 'mysql') {
      await withShortLockWait(conn, engine, async () => {
        try {
          await sql`${add}, algorithm=instant`.execute(conn)
        } catch (error) {
          if (!isAlgorithmUnsupported(error)) throw error
          await sql`${add}, algorithm=inplace, lock=none`.execute(conn)
        }
      })
    } else {
      await withShortLockWait(conn, engine, () => add.execute(conn))
    }
  })
  currentPlan()?.noteColumn(spec.table, { name: spec.column, type: sql`${type}`.compile(db).sql, nullable: true })
  return 'created'
}

/** Adds a named `ON DELETE CASCADE` foreign key without a long lock or a table copy. */
export async function ensureForeignKey(db: Kysely<any>, migration: string, spec: ForeignKeySpec): Promise<EnsureResult> {
  return onOneConnection(db, async (conn) => {
    const engine = engineOf(conn)
    const existing = await listForeignKeys(conn, spec.table)
    const named = existing.find((fk) => fk.name === spec.name)
    if (named) {
      if (!named.validated) await sql`alter table ${sql.table(spec.table)} validate constraint ${sql.id(spec.name)}`.execute(conn)
      return 'present'
    }
    const equivalent = existing.find(
      (fk) => fk.columns.join() === spec.column && fk.referencedTable === spec.referencedTable && fk.referencedColumns.join() === spec.referencedColumn,
    )
    if (equivalent) {
      if (equivalent.onDelete !== 'CASCADE') {
        throw new SchemaConflictError([
          `${spec.table}.${spec.column} already references ${spec.referencedTable} through "${equivalent.name}" with ON DELETE ${equivalent.onDelete}, not CASCADE`,
        ])
      }
      if (!equivalent.validated) await sql`alter table ${sql.table(spec.table)} validate constraint ${sql.id(equivalent.name)}`.execute(conn)
      return 'adopted'
    }

    await recordCreation(conn, migration, { kind: 'foreign_key', table: spec.table, name: spec.name })
    const add = sql`alter table ${sql.table(spec.table)} add constraint ${sql.id(spec.name)}
      foreign key (${sql.ref(spec.column)}) references ${sql.table(spec.referencedTable)} (${sql.ref(spec.referencedColumn)})
      on delete cascade`
    switch (engine) {
      case 'pglite':
        await add.execute(conn)
        break
      case 'postgres':
        await withShortLockWait(conn, engine, () => sql`${add} not valid`.execute(conn))
        await sql`alter table ${sql.table(spec.table)} validate constraint ${sql.id(spec.name)}`.execute(conn)
        break
      case 'mysql': {
        if (!currentPlan()) await assertNoOrphans(conn, spec)
        const { rows } = await sql<{ checks: number }>`select @@session.foreign_key_checks as checks`.execute(conn)
        const previous = rows[0] === undefined ? sql`default` : sql.lit(Number(rows[0].checks))
        try {
          await sql`set session foreign_key_checks = 0`.execute(conn)
          await withShortLockWait(conn, engine, () => sql`${add}, algorithm=inplace`.execute(conn))
        } finally {
          await sql`set session foreign_key_checks = ${previous}`.execute(conn)
        }
        break
      }
    }
    currentPlan()?.noteForeignKey(spec.table, {
      name: spec.name,
      columns: [spec.column],
      referencedTable: spec.referencedTable,
      referencedColumns: [spec.referencedColumn],
      onDelete: 'CASCADE',
      validated: true,
    })
    return 'created'
  })
}

/**
 * Creates an index without blocking writes. An index of that name that is valid, or an
 * equivalent one under another name (same columns in order, at least as unique, not partial),
 * is kept as it is.
 */
export async function ensureIndex(db: Kysely<any>, migration: string, spec: IndexSpec): Promise<EnsureResult> {
  return onOneConnection(db, async (conn) => {
    const engine = engineOf(conn)
    const indexes = await listIndexes(conn, spec.table)
    const named = indexes.find((index) => index.name === spec.name)
    if (named?.valid) return 'present'
    if (named) await dropIndexStatement(conn, engine, spec.table, spec.name) // INVALID: an interrupted build
    else if (indexes.some((index) => servesAs(index, spec))) return 'adopted'

    await recordCreation(conn, migration, { kind: 'index', table: spec.table, name: spec.name })
    const unique = spec.unique ? sql`unique ` : sql``
    const columns = sql.join(spec.columns.map((c) => sql.ref(c)))
    const buildEnded = await announceIndexBuild(conn, engine, { table: spec.table, index: spec.name })
    try {
      switch (engine) {
        case 'pglite':
          await sql`create ${unique}index if not exists ${sql.id(spec.name)} on ${sql.table(spec.table)} (${columns})`.execute(conn)
          break
        case 'postgres':
          await withoutParallelWorkers(conn, () => sql`create ${unique}index concurrently if not exists ${sql.id(spec.name)} on ${sql.table(spec.table)} (${columns})`.execute(conn))
          break
        case 'mysql':
          await withShortLockWait(conn, engine, () =>
            sql`alter table ${sql.table(spec.table)} add ${unique}index ${sql.id(spec.name)} (${columns}), algorithm=inplace, lock=none`.execute(conn),
          )
          break
      }
    } catch (error) {
      if (spec.unique && isUniqueViolation(error)) {
        if (engine === 'postgres') await dropIndexStatement(conn, engine, spec.table, spec.name)
        throw new SchemaConflictError([`${spec.table} has duplicate values in (${spec.columns.join(', ')}), so ${spec.name} cannot be unique`])
      }
      throw error
    } finally {
      buildEnded()
    }
    currentPlan()?.noteIndex(spec.table, { name: spec.name, columns: [...spec.columns], unique: spec.unique === true, primary: false, valid: true, partial: false })
    return 'created'
  })
}

/**
 * Removes, newest first, everything the ledger says `migration` created. A table is dropped
 * only when `dropTable` agrees (for example, only while it is empty); otherwise it is kept and
 * forgotten, so that no later `down` can drop it either. `dropTable` must query through the
 * connection it is given: the caller's may be held for the duration.
 */
export async function undoCreations(
  db: Kysely<any>,
  migration: string,
  dropTable: (table: string, conn: Kysely<any>) => Promise<boolean> = async () => true,
): Promise<LedgerEntry[]> {
  return onOneConnection(db, async (conn) => {
    const engine = engineOf(conn)
    const removed: LedgerEntry[] = []
    for (const entry of await createdBy(conn, migration)) {
      if (entry.kind !== 'table' || (await dropTable(entry.table, conn))) {
        await dropObject(conn, engine, entry)
        removed.push(entry)
      }
      await forgetCreation(conn, entry)
    }
    return removed
  })
}

async function dropObject(conn: Kysely<any>, engine: Engine, entry: LedgerEntry): Promise<void> {
  const table = sql.table(entry.table)
  switch (entry.kind) {
    case 'table':
      await sql`drop table if exists ${table}`.execute(conn)
      return
    case 'index':
      await dropIndexStatement(conn, engine, entry.table, entry.name)
      return
    case 'foreign_key':
      if (engine === 'mysql') {
        if ((await listForeignKeys(conn, entry.table)).some((fk) => fk.name === entry.name)) {
          await withShortLockWait(conn, engine, () => sql`alter table ${table} drop foreign key ${sql.id(entry.name)}`.execute(conn))
        }
      } else {
        await withShortLockWait(conn, engine, () => sql`alter table if exists ${table} drop constraint if exists ${sql.id(entry.name)}`.execute(conn))
      }
      return
    case 'column':
      if (engine === 'mysql') {
        if (await findColumn(conn, entry.table, entry.name)) {
          await withShortLockWait(conn, engine, () => sql`alter table ${table} drop column ${sql.ref(entry.name)}`.execute(conn))
        }
      } else {
        await withShortLockWait(conn, engine, () => sql`alter table if exists ${table} drop column if exists ${sql.ref(entry.name)}`.execute(conn))
      }
      return
  }
}

async function dropIndexStatement(conn: Kysely<any>, engine: Engine, table: string, name: string): Promise<void> {
  switch (engine) {
    case 'pglite':
      await sql`drop index if exists ${sql.id(name)}`.execute(conn)
      return
    case 'postgres':
      await sql`drop index concurrently if exists ${sql.id(name)}`.execute(conn)
      return
    case 'mysql':
      if ((await listIndexes(conn, table)).some((index) => index.name === name)) {
        await withShortLockWait(conn, engine, () =>
          sql`alter table ${sql.table(table)} drop index ${sql.id(name)}, algorithm=inplace, lock=none`.execute(conn),
        )
      }
      return
  }
}

/** Whether an existing index can stand in for `spec`: same columns in order, at least as unique, whole and valid. */
export function servesAs(index: IndexInfo, spec: IndexSpec): boolean {
  return (
    index.valid &&
    !index.partial &&
    (index.unique || !spec.unique) &&
    index.columns.length === spec.columns.length &&
    index.columns.every((column, i) => column === spec.columns[i])
  )
}

/** MySQL would skip the check with `foreign_key_checks=0`; refuse instead of storing bad links. */
async function assertNoOrphans(conn: Kysely<any>, spec: ForeignKeySpec): Promise<void> {
  const orphan = await conn
    .selectFrom(`${spec.table} as child`)
    .leftJoin(`${spec.referencedTable} as parent`, `parent.${spec.referencedColumn}`, `child.${spec.column}`)
    .select(`child.${spec.column}`)
    .where(`child.${spec.column}`, 'is not', null)
    .where(`parent.${spec.referencedColumn}`, 'is', null)
    .limit(1)
    .executeTakeFirst()
  if (orphan) {
    throw new SchemaConflictError([
      `${spec.table}.${spec.column} holds values with no matching ${spec.referencedTable}.${spec.referencedColumn} (e.g. ${String(Object.values(orphan)[0])}); clear or fix them before the foreign key can be added`,
    ])
  }
}

/**
 * Runs a DDL statement with a short wait for its table lock, retrying with back-off, so that a
 * long transaction elsewhere makes us wait instead of making every writer wait behind us.
 */
async function withShortLockWait<T>(conn: Kysely<any>, engine: Engine, statement: () => Promise<T>): Promise<T> {
  if (engine === 'pglite') return statement()
  const seconds = Math.ceil(DDL_LOCK_TIMEOUT_MS / 1000)
  // Restored afterwards; `default` (the global value) when the session's could not be read (a plan).
  let previous = sql`default`
  if (engine === 'mysql') {
    const { rows } = await sql<{ wait: number }>`select @@session.lock_wait_timeout as ${sql.ref('wait')}`.execute(conn)
    if (rows[0] !== undefined) previous = sql.lit(Number(rows[0].wait))
    await sql`set session lock_wait_timeout = ${sql.lit(seconds)}`.execute(conn)
  } else {
    await sql`set lock_timeout = ${sql.lit(`${DDL_LOCK_TIMEOUT_MS}ms`)}`.execute(conn)
  }
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await statement()
      } catch (error) {
        if (!isLockTimeout(error)) throw error
        if (attempt >= DDL_LOCK_ATTEMPTS) {
          throw new LockTimeoutError(
            `a table stayed locked by another session through ${DDL_LOCK_ATTEMPTS} attempts (${describeError(error)}); ` +
              'find the long-running transaction, let it finish, then run migrate:latest again',
          )
        }
        await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt))
      }
    }
  } finally {
    if (engine === 'mysql') await sql`set session lock_wait_timeout = ${previous}`.execute(conn)
    else await sql`reset lock_timeout`.execute(conn)
  }
}

/**
 * Runs a PostgreSQL index build on this session's process alone. By default a large table's
 * build also starts up to `max_parallel_maintenance_workers` (2) parallel workers: faster, but
 * on a small server they take every core, and the application's inserts then wait for CPU.
 * Measured at 1,000,000 rows on a shared 2-core machine (the benchmark's writer, six builds of
 * each kind), the writer's worst insert during the build was 22-152 ms (median 98) with workers
 * and 39-64 ms (median 45) without, for a build about 1.5x as long. An online build is worth
 * being slower to stay out of the writers' way.
 */
async function withoutParallelWorkers<T>(conn: Kysely<any>, build: () => Promise<T>): Promise<T> {
  await sql`set max_parallel_maintenance_workers = 0`.execute(conn)
  try {
    return await build()
  } finally {
    await sql`reset max_parallel_maintenance_workers`.execute(conn)
  }
}

/** Session settings (`lock_timeout`, `foreign_key_checks`) must apply to the statements they guard. */
function onOneConnection<T>(db: Kysely<any>, work: (conn: Kysely<any>) => Promise<T>): Promise<T> {
  return db.connection().execute(work)
}

function errorCode(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code
}

function isLockTimeout(error: unknown): boolean {
  return errorCode(error) === '55P03' || errorCode(error) === 'ER_LOCK_WAIT_TIMEOUT'
}

function isUniqueViolation(error: unknown): boolean {
  return errorCode(error) === '23505' || errorCode(error) === 'ER_DUP_ENTRY'
}

function isAlgorithmUnsupported(error: unknown): boolean {
  const code = errorCode(error)
  return code === 'ER_ALTER_OPERATION_NOT_SUPPORTED' || code === 'ER_ALTER_OPERATION_NOT_SUPPORTED_REASON'
}

/**
 * Creates a table if it does not exist yet, recording it as this migration's. An existing table
 * is left exactly as it is (`present`): adopting it is the caller's job.
 */
export async function ensureTable(
  db: Kysely<any>,
  migration: string,
  table: string,
  create: (db: Kysely<any>) => CreateTableBuilder<string, string>,
): Promise<EnsureResult> {
  if (await tableExists(db, table)) return 'present'
  await recordCreation(db, migration, { kind: 'table', table, name: table })
  const builder = create(db)
  await builder.execute()
  currentPlan()?.noteTable(builder.toOperationNode())
  return 'created'
}

/** A foreign key that already does `spec`'s job under any name: same column, same target. */
export function findEquivalentForeignKey(existing: readonly ForeignKeyInfo[], spec: ForeignKeySpec): ForeignKeyInfo | undefined {
  return (
    existing.find((fk) => fk.name === spec.name) ??
    existing.find(
      (fk) => fk.columns.join() === spec.column && fk.referencedTable === spec.referencedTable && fk.referencedColumns.join() === spec.referencedColumn,
    )
  )
}

export interface ColumnTypeChange {
  readonly table: string
  readonly column: string
  /** The new full SQL type. The caller has checked that every value keeps its exact content. */
  readonly type: DataTypeExpression
  /** Restated on MySQL, whose `MODIFY COLUMN` replaces the whole definition. */
  readonly nullable: boolean
}

/**
 * Gives an existing column a wider type (a longer `varchar`, a `varchar` instead of `text`).
 * Only for columns without a default or comment: MySQL's `MODIFY COLUMN` restates the type and
 * nullability and nothing else. The caller decides it is lossless (see `canWidenLosslessly`
 * and `needsBoundForIndex` in `column-types.ts`); as a last guard MySQL runs it in strict mode,
 * so a value that would not fit fails the statement instead of being cut.
 *
 * Not recorded in the ledger: `down` keeps the wider type, since narrowing it again could cut
 * values written since.
 *
 * MySQL tries `ALGORITHM=INPLACE, LOCK=NONE` first; a change of length class, character set or
 * collation needs a table copy, which blocks writes (not reads) to that table while it runs. The
 * tables this is used on (`verification`, `account`) are small next to `artwork_jobs`.
 * PostgreSQL: `varchar(n)` to `text` is binary-coercible, so no rewrite and no index rebuild.
 */
export async function changeColumnType(db: Kysely<any>, change: ColumnTypeChange): Promise<void> {
  const type = typeof change.type === 'string' ? sql.raw(change.type) : change.type
  await onOneConnection(db, async (conn) => {
    const engine = engineOf(conn)
    if (engine === 'mysql') {
      const modify = sql`alter table ${sql.table(change.table)} modify column ${sql.ref(change.column)} ${type} ${change.nullable ? sql`null` : sql`not null`}`
      const { rows } = await sql<{ mode: string }>`select @@session.sql_mode as mode`.execute(conn)
      const previous = rows[0]?.mode ?? ''
      try {
        await sql`set session sql_mode = ${previous ? `${previous},STRICT_ALL_TABLES` : 'STRICT_ALL_TABLES'}`.execute(conn)
        await withShortLockWait(conn, engine, async () => {
          try {
            await sql`${modify}, algorithm=inplace, lock=none`.execute(conn)
          } catch (error) {
            if (!isAlgorithmUnsupported(error)) throw error
            await sql`${modify}, algorithm=copy, lock=shared`.execute(conn)
          }
        })
      } finally {
        await sql`set session sql_mode = ${previous}`.execute(conn)
      }
    } else {
      await withShortLockWait(conn, engine, () =>
        sql`alter table ${sql.table(change.table)} alter column ${sql.ref(change.column)} type ${type}`.execute(conn),
      )
    }
  })
}
