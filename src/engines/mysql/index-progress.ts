/**
 * What MariaDB says about an ALTER in progress (`information_schema.processlist`). MySQL has no
 * such columns: the query fails, and the watcher stops asking.
 */
import { sql, type Kysely } from 'kysely'

export async function mysqlIndexBuildProgress(db: Kysely<any>, sessionId: number | undefined): Promise<string | undefined> {
  const { rows } = await sql<{ stage: number; maxStage: number; progress: number }>`
    select stage, max_stage as ${sql.ref('maxStage')}, progress
    from information_schema.processlist where id = ${sessionId}`.execute(db)
  const row = rows[0]
  if (!row || Number(row.progress) <= 0) return undefined
  const stage = Number(row.maxStage) > 1 ? `stage ${row.stage} of ${row.maxStage}, ` : ''
  return `${stage}${Number(row.progress).toFixed(0)}%`
}
