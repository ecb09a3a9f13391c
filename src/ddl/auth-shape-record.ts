/**
 * What the core tables were made with, kept in the database (`artorizer_auth_shape`, one row):
 * the {@link AuthShape} that `0001_better_auth` made them in, and that later renames changed
 * them to. With it a later change of Better Auth's options is seen as a change (a table
 * renamed, ids of another type), never as tables gone missing. A database migrated before
 * shapes were recorded has no row: it was made with Better Auth's defaults.
 */
import { sql, type Kysely } from 'kysely'
import { DEFAULT_AUTH_SHAPE, normalizeShape, type AuthShape } from '../model/auth-shape.js'
import { tableExists } from './introspect.js'
import { ensureBookkeepingTable, inTransaction } from './bookkeeping-table.js'

export const AUTH_SHAPE_TABLE = 'artorizer_auth_shape'

/** Row 1: the shape `0001_better_auth` made the tables in. Row 2: the shape they have now, after renames (absent: row 1's). */
const BASE = 1
const CURRENT = 2

/** The shape the core tables were made in, as recorded; Better Auth's defaults when nothing was recorded. */
export async function recordedAuthShape(db: Kysely<any>): Promise<AuthShape> {
  return (await readShapes(db)).get(BASE) ?? DEFAULT_AUTH_SHAPE
}

/** The shape the core tables have now: the base, or what the last rename recorded. */
export async function currentAuthShape(db: Kysely<any>): Promise<AuthShape> {
  const shapes = await readShapes(db)
  return shapes.get(CURRENT) ?? shapes.get(BASE) ?? DEFAULT_AUTH_SHAPE
}

async function readShapes(db: Kysely<any>): Promise<Map<number, AuthShape>> {
  if (!(await tableExists(db, AUTH_SHAPE_TABLE))) return new Map()
  const rows = await db.selectFrom(AUTH_SHAPE_TABLE).select(['id', 'shape']).execute()
  return new Map(rows.map((row) => [Number(row.id), normalizeShape(JSON.parse(String(row.shape)) as AuthShape)]))
}

/** Records `shape` as the one the core tables were made in (and have now), replacing what was recorded. */
export async function recordAuthShape(db: Kysely<any>, shape: AuthShape): Promise<void> {
  await writeShape(db, BASE, shape, true)
}

/** Records `shape` as the one the core tables have now (a rename ran, or was undone). */
export async function recordCurrentAuthShape(db: Kysely<any>, shape: AuthShape): Promise<void> {
  await writeShape(db, CURRENT, shape, false)
}

async function writeShape(db: Kysely<any>, id: number, shape: AuthShape, resetCurrent: boolean): Promise<void> {
  await ensureBookkeepingTable(db, AUTH_SHAPE_TABLE, (table, types) =>
    table.addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('shape', types.text, (c) => c.notNull()),
  )
  const replace = async (trx: Kysely<any>): Promise<void> => {
    await trx.deleteFrom(AUTH_SHAPE_TABLE).where('id', 'in', resetCurrent ? [id, CURRENT] : [id]).execute()
    await trx.insertInto(AUTH_SHAPE_TABLE).values({ id, shape: JSON.stringify(normalizeShape(shape)) }).execute()
  }
  await inTransaction(db, replace)
}

/** Forgets the recorded shape (the core tables were undone). */
export async function forgetAuthShape(db: Kysely<any>): Promise<void> {
  if (await tableExists(db, AUTH_SHAPE_TABLE)) await sql`drop table ${sql.table(AUTH_SHAPE_TABLE)}`.execute(db)
}
