/** What PostgreSQL says about an index build in progress (`pg_stat_progress_create_index`). */
import { sql, type Kysely } from 'kysely'

export async function postgresIndexBuildProgress(db: Kysely<any>, sessionId: number | undefined): Promise<string | undefined> {
  const { rows } = await sql<PgProgressRow>`
      select phase, blocks_total, blocks_done, tuples_total, tuples_done, lockers_total, lockers_done
      from pg_stat_progress_create_index where pid = ${sessionId}`.execute(db)
  return rows[0] ? describePgProgress(rows[0]) : undefined
}

export interface PgProgressRow {
  readonly phase: string
  readonly blocks_total: string | number
  readonly blocks_done: string | number
  readonly tuples_total: string | number
  readonly tuples_done: string | number
  readonly lockers_total: string | number
  readonly lockers_done: string | number
}

/** E.g. `building index: scanning table 42%`, or `waiting for writers before build 1/3`. */
export function describePgProgress(row: PgProgressRow): string {
  const fraction = (done: string | number, total: string | number) =>
    Number(total) > 0 ? Math.min(100, (100 * Number(done)) / Number(total)) : undefined
  if (Number(row.lockers_total) > 0) return `${row.phase} ${row.lockers_done}/${row.lockers_total}`
  const percent = fraction(row.blocks_done, row.blocks_total) ?? fraction(row.tuples_done, row.tuples_total)
  return percent === undefined ? row.phase : `${row.phase} ${percent.toFixed(0)}%`
}
