/**
 * MySQL's and MariaDB's online-DDL recipes.
 *
 * - A short `lock_wait_timeout` for the metadata lock, retried with growing pauses
 *   (`../lock-wait.ts`), restored afterwards. It is in whole seconds: MariaDB accepts 0 (give
 *   way at once, as `NOWAIT`), MySQL 8 nothing below 1. So on MariaDB a statement that changes
 *   only metadata (or is quick) gives way at once and writers never queue behind it; an index
 *   build or a table copy waits 1 s a try, because its lock is also needed at the end of the
 *   build, and giving way there would throw the whole build away. On MySQL every try waits 1 s.
 * - Columns are added `ALGORITHM=INSTANT` (falling back to `INPLACE, LOCK=NONE` where the
 *   table's format does not allow instant DDL), indexes `ALGORITHM=INPLACE, LOCK=NONE`.
 * - Foreign keys are added with `foreign_key_checks=0` and `ALGORITHM=INPLACE`, which skips the
 *   table copy; that is safe only when no row can violate the key, so the recipe first checks
 *   for orphans (a new column is all NULL and has none).
 * - A column's type changes in strict mode, so a value that would not fit fails the statement
 *   instead of being cut.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely'
import { SchemaConflictError } from '../../errors.js'
import type { DdlRunner } from '../ddl-runner.js'
import { columnTail, type DdlRecipes, type ErrorRules, type ForeignKeySpec, type TableRenameSpec } from '../engine.js'
import { errorCode, lockRetryPolicy, retryOnLockTimeout } from '../lock-wait.js'
import { mysqlCatalog } from './catalog.js'
import { assertTableEmpty } from '../empty-table-guard.js'

function isAlgorithmUnsupported(error: unknown): boolean {
  const code = errorCode(error)
  return code === 'ER_ALTER_OPERATION_NOT_SUPPORTED' || code === 'ER_ALTER_OPERATION_NOT_SUPPORTED_REASON'
}

/** The value a session setting had, to restore; `default` (the global value) in a plan. */
async function previousSetting(r: DdlRunner, read: RawBuilder<unknown>): Promise<RawBuilder<unknown>> {
  const value = await r.read(read)
  return value === undefined ? sql`default` : sql.lit(Number(value))
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
 * The metadata-lock wait of one try, in seconds: 0 on MariaDB for a quick statement, else 1 (the
 * least MySQL accepts). In a plan without a server, as for MySQL.
 */
async function tryWaitSeconds(r: DdlRunner, long: boolean): Promise<number> {
  if (long) return 1
  const version = await r.read(sql`select version() as ${sql.ref('version')}`)
  return typeof version === 'string' && /mariadb/i.test(version) ? 0 : 1
}

export function mysqlDdl(errors: ErrorRules): DdlRecipes {
  /** `long`: an index build or a table copy, whose lock is needed again at its end. */
  async function withShortLockWait(r: DdlRunner, statement: () => Promise<void>, { long = false }: { long?: boolean } = {}): Promise<void> {
    const previous = await previousSetting(r, sql`select @@session.lock_wait_timeout as ${sql.ref('wait')}`)
    await r.run(sql`set session lock_wait_timeout = ${sql.lit(await tryWaitSeconds(r, long))}`, 'guard')
    try {
      await retryOnLockTimeout(statement, errors.isLockTimeout, lockRetryPolicy())
    } finally {
      await r.run(sql`set session lock_wait_timeout = ${previous}`, 'guard')
    }
  }

  return {
    async addNullableColumn(r, spec) {
      const type = typeof spec.type === 'string' ? sql.raw(spec.type) : spec.type
      const add = sql`alter table ${sql.table(spec.table)} add column ${sql.ref(spec.column)} ${type} ${columnTail(spec)}`
      await withShortLockWait(r, async () => {
        try {
          await r.run(sql`${add}, algorithm=instant`)
        } catch (error) {
          if (!isAlgorithmUnsupported(error)) throw error
          await r.run(sql`${add}, algorithm=inplace, lock=none`)
        }
      })
    },

    /**
     * Online on a new table too (`onNewTable` changes nothing here): `LOCK=NONE` waits only for
     * the metadata locks on the table itself, which nobody holds on a table just created.
     */
    async createIndex(r, spec) {
      const unique = spec.unique ? sql`unique ` : sql``
      const columns = sql.join(spec.columns.map((c) => sql.ref(c)))
      await withShortLockWait(
        r,
        () => r.run(sql`alter table ${sql.table(spec.table)} add ${unique}index ${sql.id(spec.name)} (${columns}), algorithm=inplace, lock=none`),
        { long: true },
      )
    },

    async addForeignKey(r, spec) {
      await r.guard((conn) => assertNoOrphans(conn, spec))
      const add = sql`alter table ${sql.table(spec.table)} add constraint ${sql.id(spec.name)}
      foreign key (${sql.ref(spec.column)}) references ${sql.table(spec.referencedTable)} (${sql.ref(spec.referencedColumn)})
      on delete cascade`
      const previous = await previousSetting(r, sql`select @@session.foreign_key_checks as checks`)
      try {
        await r.run(sql`set session foreign_key_checks = 0`, 'guard')
        await withShortLockWait(r, () => r.run(sql`${add}, algorithm=inplace`))
      } finally {
        await r.run(sql`set session foreign_key_checks = ${previous}`, 'guard')
      }
    },

    /** MySQL has no unvalidated foreign keys: every one is checked when it is added. */
    async validateForeignKey() {},

    /**
     * `ALGORITHM=INPLACE, LOCK=NONE` first; a change of length class, character set or
     * collation needs a table copy, which blocks writes (not reads) to that table while it runs.
     * The tables this is used on (`verification`, `account`) are small next to `artwork_jobs`.
     */
    async changeColumnType(r, change) {
      const type = typeof change.type === 'string' ? sql.raw(change.type) : change.type
      const modify = sql`alter table ${sql.table(change.table)} modify column ${sql.ref(change.column)} ${type} ${change.nullable ? sql`null` : sql`not null`}`
      const mode = await r.read(sql`select @@session.sql_mode as mode`)
      const previous = typeof mode === 'string' ? mode : ''
      try {
        await r.run(sql`set session sql_mode = ${previous ? `${previous},STRICT_ALL_TABLES` : 'STRICT_ALL_TABLES'}`, 'guard')
        await withShortLockWait(
          r,
          async () => {
            try {
              await r.run(sql`${modify}, algorithm=inplace, lock=none`)
            } catch (error) {
              if (!isAlgorithmUnsupported(error)) throw error
              await r.run(sql`${modify}, algorithm=copy, lock=shared`)
            }
          },
          { long: true },
        )
      } finally {
        await r.run(sql`set session sql_mode = ${previous}`, 'guard')
      }
    },

    async dropIndex(r, table, name) {
      if (!(await mysqlCatalog.listIndexes(r.db, table)).some((index) => index.name === name)) return
      // In place, its metadata lock is needed at the start and again at the end: a try that gives
      // way at once (MariaDB's 0 s) loses the second to any insert in flight, so under a steady
      // writer it never finished (measured: 54 tries over 176 s). A long statement, like a build.
      await withShortLockWait(r, () => r.run(sql`alter table ${sql.table(table)} drop index ${sql.id(name)}, algorithm=inplace, lock=none`), { long: true })
    },

    async dropForeignKey(r, table, name) {
      if (!(await mysqlCatalog.listForeignKeys(r.db, table)).some((fk) => fk.name === name)) return
      await withShortLockWait(r, () => r.run(sql`alter table ${sql.table(table)} drop foreign key ${sql.id(name)}`))
    },

    async dropColumn(r, table, column) {
      if (!(await mysqlCatalog.listColumns(r.db, table)).some((c) => c.name === column)) return
      // May rebuild the table (its lock is needed again at the end): a long statement.
      await withShortLockWait(r, () => r.run(sql`alter table ${sql.table(table)} drop column ${sql.ref(column)}`), { long: true })
    },

    async dropTable(r, table) {
      await withShortLockWait(r, () => r.run(sql`drop table if exists ${sql.table(table)}`))
    },

    // MySQL commits each DDL statement: between the rename and the view (milliseconds apart) an
    // old replica's query of the old name fails once. `RENAME TABLE` and `RENAME COLUMN` change
    // metadata only (MySQL 8.0, MariaDB 10.5+); the foreign keys follow the renamed table.
    async renameTable(r, spec) {
      if (spec.from !== spec.to) await withShortLockWait(r, () => r.run(sql`rename table ${sql.table(spec.from)} to ${sql.table(spec.to)}`))
      if (spec.columns.length > 0) {
        const renames = spec.columns.map((c) => sql`rename column ${sql.ref(c.from)} to ${sql.ref(c.to)}`)
        await withShortLockWait(r, () => r.run(sql`alter table ${sql.table(spec.to)} ${sql.join(renames)}`))
      }
      if (spec.view) await withShortLockWait(r, () => r.run(compatibilityView(spec)))
    },

    async dropView(r, view) {
      await withShortLockWait(r, () => r.run(sql`drop view if exists ${sql.table(view)}`))
    },

    // `MODIFY COLUMN` restates the whole column: its type, NOT NULL, and `auto_increment` for
    // integer ids (a uuid has no default here: Better Auth makes it). The primary key stays.
    // MySQL commits DDL at once, so the emptiness is checked before and after (not undone).
    async retypeEmptyColumn(r, spec) {
      const type = typeof spec.type === 'string' ? sql.raw(spec.type) : spec.type
      const made = spec.made === 'generated' ? sql` auto_increment` : sql``
      await r.guard((db) => assertTableEmpty(db, spec.table))
      await withShortLockWait(
        r,
        () => r.run(sql`alter table ${sql.table(spec.table)} modify column ${sql.ref(spec.column)} ${type} ${spec.nullable ? sql`null` : sql`not null`}${made}`),
        { long: true },
      )
      await r.guard((db) => assertTableEmpty(db, spec.table))
    },
  }
}

/** `create view <old name> as select <new> as <old>, ... from <table>`: the table under its old names. */
function compatibilityView(spec: TableRenameSpec): RawBuilder<unknown> {
  const view = spec.view!
  const columns = view.columns.map((c) => (c.column === c.as ? sql.ref(c.column) : sql`${sql.ref(c.column)} as ${sql.ref(c.as)}`))
  return sql`create view ${sql.table(view.name)} as select ${sql.join(columns)} from ${sql.table(spec.to)}`
}

