/**
 * The ledger of what each migration created, in `artorizer_schema_objects`.
 *
 * Migrations adopt what already exists (tables made by `better-auth migrate`, a legacy
 * `artwork_jobs`), so `down` must remove what the migration made and nothing else. A migration
 * records an object *before* it creates it: after a crash between the two, the next run finds
 * the object missing, creates it, and the record is already right; dropping is always
 * "if it exists". Kysely's own migration table cannot hold this, hence a table of our own.
 */
import { sql, type Kysely } from 'kysely'
import type { SchemaObjectsTable } from '../model/database.js'
import { tableExists } from './introspect.js'
import { ensureBookkeepingTable } from './bookkeeping-table.js'

export const LEDGER_TABLE = 'artorizer_schema_objects'

export type ObjectKind = SchemaObjectsTable['kind']

export interface LedgerEntry {
  readonly kind: ObjectKind
  readonly table: string
  readonly name: string
}

async function ensureLedger(db: Kysely<any>): Promise<void> {
  await ensureBookkeepingTable(db, LEDGER_TABLE, (table, types) =>
    table
      .addColumn('migration', types.indexedString, (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('kind', types.shortString, (c) => c.notNull())
      .addColumn('table_name', types.indexedString, (c) => c.notNull())
      .addColumn('object_name', types.indexedString, (c) => c.notNull())
      .addPrimaryKeyConstraint(`${LEDGER_TABLE}_pk`, ['kind', 'table_name', 'object_name']),
  )
}

/** Notes that `migration` is about to create `entry`; a second note of the same object is a no-op. */
export async function recordCreation(db: Kysely<any>, migration: string, entry: LedgerEntry): Promise<void> {
  await ensureLedger(db)
  const existing = await db
    .selectFrom(LEDGER_TABLE)
    .select('migration')
    .where('kind', '=', entry.kind)
    .where('table_name', '=', entry.table)
    .where('object_name', '=', entry.name)
    .executeTakeFirst()
  if (existing) return
  const { next } = (await db
    .selectFrom(LEDGER_TABLE)
    .select(sql<number>`coalesce(max(position), 0) + 1`.as('next'))
    .where('migration', '=', migration)
    .executeTakeFirstOrThrow()) as { next: number }
  await db
    .insertInto(LEDGER_TABLE)
    .values({ migration, position: Number(next), kind: entry.kind, table_name: entry.table, object_name: entry.name })
    .execute()
}

/** What `migration` created, newest first: the order in which `down` removes it. */
export async function createdBy(db: Kysely<any>, migration: string): Promise<LedgerEntry[]> {
  if (!(await tableExists(db, LEDGER_TABLE))) return []
  const rows = await db
    .selectFrom(LEDGER_TABLE)
    .select(['kind', 'table_name', 'object_name'])
    .where('migration', '=', migration)
    .orderBy('position', 'desc')
    .execute()
  return rows.map((r) => ({ kind: r.kind as ObjectKind, table: r.table_name as string, name: r.object_name as string }))
}

/** Every table a migration of this module created (and `down` has not removed). */
export async function createdTables(db: Kysely<any>): Promise<string[]> {
  if (!(await tableExists(db, LEDGER_TABLE))) return []
  const rows = await db.selectFrom(LEDGER_TABLE).select('table_name').where('kind', '=', 'table').execute()
  return rows.map((r) => r.table_name as string)
}

/** Forgets an object after `down` removed it. */
export async function forgetCreation(db: Kysely<any>, entry: LedgerEntry): Promise<void> {
  await db
    .deleteFrom(LEDGER_TABLE)
    .where('kind', '=', entry.kind)
    .where('table_name', '=', entry.table)
    .where('object_name', '=', entry.name)
    .execute()
}

/**
 * Follows a table renamed (and its columns): every entry of `from` becomes one of `to`, and a
 * column entry takes its column's new name, so that `down` and its data-loss guard find what
 * was created under the name it has now. Idempotent.
 */
export async function renameInLedger(db: Kysely<any>, from: string, to: string, columns: readonly { readonly from: string; readonly to: string }[]): Promise<void> {
  if (!(await tableExists(db, LEDGER_TABLE))) return
  for (const column of columns) {
    await db.updateTable(LEDGER_TABLE).set({ object_name: column.to }).where('kind', '=', 'column').where('table_name', '=', from).where('object_name', '=', column.from).execute()
  }
  if (from === to) return
  await db.updateTable(LEDGER_TABLE).set({ object_name: to }).where('kind', '=', 'table').where('table_name', '=', from).where('object_name', '=', from).execute()
  await db.updateTable(LEDGER_TABLE).set({ table_name: to }).where('table_name', '=', from).execute()
}
