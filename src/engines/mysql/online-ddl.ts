/**
 * MySQL's and MariaDB's online-DDL recipes.
 *
 * - A short `lock_wait_timeout` for the metadata lock, retried, restored afterwards.
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
import type { DdlRunner } from '../../schema/ddl-runner.js'
import { columnTail, type DdlRecipes, type ErrorRules, type ForeignKeySpec } from '../engine.js'
import { DDL_LOCK_TIMEOUT_MS, errorCode, retryOnLockTimeout } from '../lock-wait.js'
import { mysqlCatalog } from './catalog.js'

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

export function mysqlDdl(errors: ErrorRules): DdlRecipes {
  async function withShortLockWait(r: DdlRunner, statement: () => Promise<void>): Promise<void> {
    const previous = await previousSetting(r, sql`select @@session.lock_wait_timeout as ${sql.ref('wait')}`)
    await r.run(sql`set session lock_wait_timeout = ${sql.lit(Math.ceil(DDL_LOCK_TIMEOUT_MS / 1000))}`)
    try {
      await retryOnLockTimeout(statement, errors.isLockTimeout)
    } finally {
      await r.run(sql`set session lock_wait_timeout = ${previous}`)
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

    async createIndex(r, spec) {
      const unique = spec.unique ? sql`unique ` : sql``
      const columns = sql.join(spec.columns.map((c) => sql.ref(c)))
      await withShortLockWait(r, () =>
        r.run(sql`alter table ${sql.table(spec.table)} add ${unique}index ${sql.id(spec.name)} (${columns}), algorithm=inplace, lock=none`),
      )
    },

    async addForeignKey(r, spec) {
      await r.guard((conn) => assertNoOrphans(conn, spec))
      const add = sql`alter table ${sql.table(spec.table)} add constraint ${sql.id(spec.name)}
      foreign key (${sql.ref(spec.column)}) references ${sql.table(spec.referencedTable)} (${sql.ref(spec.referencedColumn)})
      on delete cascade`
      const previous = await previousSetting(r, sql`select @@session.foreign_key_checks as checks`)
      try {
        await r.run(sql`set session foreign_key_checks = 0`)
        await withShortLockWait(r, () => r.run(sql`${add}, algorithm=inplace`))
      } finally {
        await r.run(sql`set session foreign_key_checks = ${previous}`)
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
        await r.run(sql`set session sql_mode = ${previous ? `${previous},STRICT_ALL_TABLES` : 'STRICT_ALL_TABLES'}`)
        await withShortLockWait(r, async () => {
          try {
            await r.run(sql`${modify}, algorithm=inplace, lock=none`)
          } catch (error) {
            if (!isAlgorithmUnsupported(error)) throw error
            await r.run(sql`${modify}, algorithm=copy, lock=shared`)
          }
        })
      } finally {
        await r.run(sql`set session sql_mode = ${previous}`)
      }
    },

    async dropIndex(r, table, name) {
      if (!(await mysqlCatalog.listIndexes(r.db, table)).some((index) => index.name === name)) return
      await withShortLockWait(r, () => r.run(sql`alter table ${sql.table(table)} drop index ${sql.id(name)}, algorithm=inplace, lock=none`))
    },

    async dropForeignKey(r, table, name) {
      if (!(await mysqlCatalog.listForeignKeys(r.db, table)).some((fk) => fk.name === name)) return
      await withShortLockWait(r, () => r.run(sql`alter table ${sql.table(table)} drop foreign key ${sql.id(name)}`))
    },

    async dropColumn(r, table, column) {
      if (!(await mysqlCatalog.listColumns(r.db, table)).some((c) => c.name === column)) return
      await withShortLockWait(r, () => r.run(sql`alter table ${sql.table(table)} drop column ${sql.ref(column)}`))
    },
  }
}
