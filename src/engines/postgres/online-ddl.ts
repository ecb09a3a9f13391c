/**
 * PostgreSQL's online-DDL recipes.
 *
 * - Statements that need a strong table lock (add/drop column, add/drop constraint) run each in
 *   its own transaction with `SET LOCAL lock_timeout` (100 ms), retried with growing pauses
 *   (`../lock-wait.ts`): waiting in the lock queue would block every writer queued behind us.
 *   `SET LOCAL` ends with the transaction, so nothing stays behind on a pooled server connection.
 * - Foreign keys are added `NOT VALID` (a brief lock, no scan) and validated separately (a scan
 *   that lets writes through).
 * - Indexes are built `CONCURRENTLY`, outside any transaction, without parallel workers when
 *   the connection is the server session itself. `CONCURRENTLY` cannot run in a transaction, so
 *   no `SET LOCAL` can bound it; it needs none: it takes SHARE UPDATE EXCLUSIVE, which writers do
 *   not conflict with (they do not queue behind it), and waits for older transactions without
 *   blocking anyone. A table the same migration has just created (empty, unseen) is indexed
 *   plainly instead: `CONCURRENTLY` would only wait for every older transaction.
 *
 * With `online: false` (PGlite: one connection, no concurrent writers) the same recipes send
 * plain statements.
 */
import { sql, type RawBuilder } from 'kysely'
import type { DdlRunner } from '../ddl-runner.js'
import { columnTail, type DdlRecipes, type ErrorRules, type TableRenameSpec } from '../engine.js'
import { lockRetryPolicy, retryOnLockTimeout } from '../lock-wait.js'
import { sessionIsPinned } from './pinned-session.js'
import { assertNoStandbyReaders, StandbyReaderBusy } from './standby-readers.js'
import { assertTableEmpty } from '../empty-table-guard.js'

export function postgresDdl(errors: ErrorRules, { online }: { readonly online: boolean }): DdlRecipes {
  /**
   * Each try in a transaction of its own, its lock wait bounded by `SET LOCAL`; retried. Before
   * each try, the standbys a multi-host URL names are asked whether a session of theirs holds
   * `table` (`./standby-readers.ts`): if so the try is put off like one that timed out.
   */
  async function withShortLockWait(r: DdlRunner, table: string, statement: () => Promise<void>): Promise<void> {
    if (!online) return statement()
    const policy = lockRetryPolicy()
    await retryOnLockTimeout(
      async () => {
        await r.guard((db) => assertNoStandbyReaders(db, table)) // a plan skips it
        await r.run(sql`begin`, 'guard')
        try {
          await r.run(sql`set local lock_timeout = ${sql.lit(`${policy.tryTimeoutMs}ms`)}`, 'guard')
          await statement()
          await r.run(sql`commit`, 'guard')
        } catch (error) {
          await r.run(sql`rollback`, 'guard').catch(() => {})
          throw error
        }
      },
      (error) => errors.isLockTimeout(error) || error instanceof StandbyReaderBusy,
      policy,
    )
  }

  /**
   * Runs an index build on this session's process alone. By default a large table's build also
   * starts up to `max_parallel_maintenance_workers` (2) parallel workers: faster, but on a small
   * server they take every core, and the application's inserts then wait for CPU. Measured at
   * 1,000,000 rows on a shared 2-core machine (the benchmark's writer, six builds of each kind),
   * the writer's worst insert during the build was 22-152 ms (median 98) with workers and
   * 39-64 ms (median 45) without, for a build about 1.5x as long. An online build is worth being
   * slower to stay out of the writers' way.
   *
   * The setting is a session `SET` (a `CONCURRENTLY` build cannot run in a transaction, so
   * `SET LOCAL` cannot carry it), so it is made only when the connection is the server session
   * itself: through a pooler the `SET`, the build and the `RESET` could each land on another
   * server connection, leaving the setting behind for someone else. There the build runs with
   * the server's setting.
   */
  async function withoutParallelWorkers(r: DdlRunner, build: () => Promise<void>): Promise<void> {
    if (!(await sessionIsPinned(r.db))) return build()
    await r.run(sql`set max_parallel_maintenance_workers = 0`, 'guard')
    try {
      await build()
    } finally {
      await r.run(sql`reset max_parallel_maintenance_workers`, 'guard')
    }
  }

  const dropIndex = async (r: DdlRunner, _table: string, name: string): Promise<void> => {
    await r.run(online ? sql`drop index concurrently if exists ${sql.id(name)}` : sql`drop index if exists ${sql.id(name)}`)
  }

  return {
    async addNullableColumn(r, spec) {
      const type = typeof spec.type === 'string' ? sql.raw(spec.type) : spec.type
      await withShortLockWait(r, spec.table, () => r.run(sql`alter table ${sql.table(spec.table)} add column ${sql.ref(spec.column)} ${type} ${columnTail(spec)}`))
    },

    async createIndex(r, spec) {
      const unique = spec.unique ? sql`unique ` : sql``
      const columns = sql.join(spec.columns.map((c) => sql.ref(c)))
      // A table this migration just created holds no rows and no one else's locks: `CONCURRENTLY`
      // would only wait for every older transaction in the database (issue 12, item 7).
      if (!online || spec.onNewTable) {
        await r.run(sql`create ${unique}index if not exists ${sql.id(spec.name)} on ${sql.table(spec.table)} (${columns})`)
        return
      }
      try {
        await withoutParallelWorkers(r, () =>
          r.run(sql`create ${unique}index concurrently if not exists ${sql.id(spec.name)} on ${sql.table(spec.table)} (${columns})`),
        )
      } catch (error) {
        // A failed concurrent build leaves an INVALID index behind.
        if (spec.unique && errors.isUniqueViolation(error)) await dropIndex(r, spec.table, spec.name)
        throw error
      }
    },

    async addForeignKey(r, spec) {
      const add = sql`alter table ${sql.table(spec.table)} add constraint ${sql.id(spec.name)}
      foreign key (${sql.ref(spec.column)}) references ${sql.table(spec.referencedTable)} (${sql.ref(spec.referencedColumn)})
      on delete cascade`
      if (!online) {
        await r.run(add)
        return
      }
      await withShortLockWait(r, spec.table, () => r.run(sql`${add} not valid`))
      await r.run(sql`alter table ${sql.table(spec.table)} validate constraint ${sql.id(spec.name)}`)
    },

    async validateForeignKey(r, table, name) {
      await r.run(sql`alter table ${sql.table(table)} validate constraint ${sql.id(name)}`)
    },

    /** `varchar(n)` to `text` is binary-coercible: no rewrite and no index rebuild. */
    async changeColumnType(r, change) {
      const type = typeof change.type === 'string' ? sql.raw(change.type) : change.type
      await withShortLockWait(r, change.table, () => r.run(sql`alter table ${sql.table(change.table)} alter column ${sql.ref(change.column)} type ${type}`))
    },

    dropIndex,

    async dropForeignKey(r, table, name) {
      await withShortLockWait(r, table, () => r.run(sql`alter table if exists ${sql.table(table)} drop constraint if exists ${sql.id(name)}`))
    },

    async dropColumn(r, table, column) {
      await withShortLockWait(r, table, () => r.run(sql`alter table if exists ${sql.table(table)} drop column if exists ${sql.ref(column)}`))
    },

    async dropTable(r, table) {
      await withShortLockWait(r, table, () => r.run(sql`drop table if exists ${sql.table(table)}`))
    },

    // One transaction: a reader sees the old table, or the renamed one and the view, never neither.
    async renameTable(r, spec) {
      await withShortLockWait(r, spec.from, async () => {
        if (spec.from !== spec.to) await r.run(sql`alter table ${sql.table(spec.from)} rename to ${sql.id(spec.to)}`)
        for (const column of spec.columns) await r.run(sql`alter table ${sql.table(spec.to)} rename column ${sql.ref(column.from)} to ${sql.id(column.to)}`)
        if (spec.view) await r.run(compatibilityView(spec))
      })
    },

    async dropView(r, view) {
      await withShortLockWait(r, view, () => r.run(sql`drop view if exists ${sql.table(view)}`))
    },

    // One transaction, checked empty again once the first ALTER holds the table's lock: a row
    // that came in since the plan looked rolls it all back. On an empty table the rewrite is instant.
    async retypeEmptyColumn(r, spec) {
      const type = typeof spec.type === 'string' ? sql.raw(spec.type) : spec.type
      const alter = (change: RawBuilder<unknown>): Promise<void> => r.run(sql`alter table ${sql.table(spec.table)} alter column ${sql.ref(spec.column)} ${change}`)
      await r.guard((db) => assertTableEmpty(db, spec.table))
      await withShortLockWait(r, spec.table, async () => {
        if (spec.madeBefore === 'randomUuid') await alter(sql`drop default`)
        if (spec.madeBefore === 'generated') await alter(sql`drop identity if exists`)
        await alter(sql`type ${type} using cast(${sql.ref(spec.column)} as ${type})`)
        if (spec.made === 'randomUuid') await alter(sql`set default gen_random_uuid()`)
        if (spec.made === 'generated') await alter(sql`add generated by default as identity`)
        await r.guard((db) => assertTableEmpty(db, spec.table))
      })
    },
  }
}

/** `create view <old name> as select <new> as <old>, ... from <table>`: the table under its old names. */
function compatibilityView(spec: TableRenameSpec): RawBuilder<unknown> {
  const view = spec.view!
  const columns = view.columns.map((c) => (c.column === c.as ? sql.ref(c.column) : sql`${sql.ref(c.column)} as ${sql.ref(c.as)}`))
  return sql`create view ${sql.table(view.name)} as select ${sql.join(columns)} from ${sql.table(spec.to)}`
}

