/**
 * The last check before a column of a table the plan found empty gets another type (Better
 * Auth's ids changed type): the plan's look may be seconds old, and a sign-up may have come in.
 */
import type { Kysely } from 'kysely'
import { SchemaConflictError } from '../errors.js'

export async function assertTableEmpty(db: Kysely<any>, table: string): Promise<void> {
  const row = await db.selectFrom(table).select(db.fn.countAll().as('n')).limit(1).executeTakeFirst()
  if (Number(row?.n ?? 0) > 0) {
    throw new SchemaConflictError([
      `"${table}" holds rows now, so its ids cannot be given another type; keep advanced.database.generateId as the rows were made, or start from a new database`,
    ])
  }
}
