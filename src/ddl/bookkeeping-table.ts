/**
 * The module's bookkeeping tables (the ledger, the checksums, the core tables' shape): each made
 * when first written, in the engine's types and table options, and written in one transaction.
 */
import type { CreateTableBuilder, Kysely } from 'kysely'
import { engineOf } from '../engines/index.js'
import type { ColumnTypes } from '../model/type-rules.js'

/** Creates bookkeeping table `name` if it is missing, with the columns `define` adds. */
export async function ensureBookkeepingTable(
  db: Kysely<any>,
  name: string,
  define: (table: CreateTableBuilder<string, never>, types: ColumnTypes) => CreateTableBuilder<string, string>,
): Promise<void> {
  const types = engineOf(db).columnTypes
  await types.tableOptions(define(db.schema.createTable(name).ifNotExists(), types)).execute()
}

/** Runs `work` in a transaction of its own, or in the caller's when `db` is one. */
export function inTransaction<T>(db: Kysely<any>, work: (trx: Kysely<any>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work)
}
