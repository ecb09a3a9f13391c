/**
 * What the core tables were made with, kept in the database (`artorizer_auth_shape`, one row):
 * the {@link AuthShape} that `0001_better_auth` made them in, and that later renames changed
 * them to. With it a later change of Better Auth's options is seen as a change (a table
 * renamed, ids of another type), never as tables gone missing. A database migrated before
 * shapes were recorded has no row: it was made with Better Auth's defaults.
 */
import { sql, type Kysely } from 'kysely'
import { engineOf } from '../engines/index.js'
import { DEFAULT_AUTH_SHAPE, normalizeShape, type AuthShape } from '../model/auth-shape.js'
import { tableExists } from './introspect.js'

export const AUTH_SHAPE_TABLE = 'artorizer_auth_shape'

/** The shape the core tables have, as recorded; Better Auth's defaults when nothing was recorded. */
export async function recordedAuthShape(db: Kysely<any>): Promise<AuthShape> {
  if (!(await tableExists(db, AUTH_SHAPE_TABLE))) return DEFAULT_AUTH_SHAPE
  const row = await db.selectFrom(AUTH_SHAPE_TABLE).select('shape').where('id', '=', 1).executeTakeFirst()
  return row ? normalizeShape(JSON.parse(String(row.shape)) as AuthShape) : DEFAULT_AUTH_SHAPE
}

/** Records `shape` as the core tables' own, replacing what was recorded. */
export async function recordAuthShape(db: Kysely<any>, shape: AuthShape): Promise<void> {
  const types = engineOf(db).columnTypes
  await types
    .tableOptions(
      db.schema
        .createTable(AUTH_SHAPE_TABLE)
        .ifNotExists()
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('shape', types.text, (c) => c.notNull()),
    )
    .execute()
  const replace = async (trx: Kysely<any>): Promise<void> => {
    await trx.deleteFrom(AUTH_SHAPE_TABLE).where('id', '=', 1).execute()
    await trx.insertInto(AUTH_SHAPE_TABLE).values({ id: 1, shape: JSON.stringify(normalizeShape(shape)) }).execute()
  }
  await (db.isTransaction ? replace(db) : db.transaction().execute(replace))
}

/** Forgets the recorded shape (the core tables were undone). */
export async function forgetAuthShape(db: Kysely<any>): Promise<void> {
  if (await tableExists(db, AUTH_SHAPE_TABLE)) await sql`drop table ${sql.table(AUTH_SHAPE_TABLE)}`.execute(db)
}
