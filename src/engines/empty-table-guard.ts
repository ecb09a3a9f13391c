/**
 * The last check before a column of a table the plan found empty gets another type (Better
 * Auth's ids changed type): the plan's look may be seconds old, and a sign-up may have come in.
 */
import { sql, type Kysely } from 'kysely'
import { SchemaConflictError } from '../errors.js'

export async function assertTableEmpty(db: Kysely<any>, table: string): Promise<void> {
  if (await db.selectFrom(table).select(sql<number>`1`.as('one')).limit(1).executeTakeFirst()) {
    throw new SchemaConflictError([
      `"${table}" holds rows now, so its ids cannot be given another type; keep advanced.database.generateId as the rows were made, or start from a new database`,
    ])
  }
}
