/**
 * The `link` part: `artworks:link` (`linkArtworks`) of N legacy artworks to 1,000 users, at
 * several batch sizes, beside the floor: what an operator would write by hand, a temporary
 * staging table filled with multi-row INSERTs and one `UPDATE … JOIN` against it and `user`.
 *
 * Every way starts from the same table (all `user_id` null, the table vacuumed on PostgreSQL)
 * and must end with every artwork linked, or its number means nothing. The staging join runs
 * before and after every linkArtworks run, and each linkArtworks run is compared with the mean
 * of the two staging runs beside it: on a machine shared with other work, load comes and goes
 * within a minute, and a floor measured once at the start would compare unlike moments.
 */
import { sql, type Kysely } from 'kysely'
import { connectDatabase, linkArtworks, migrateToLatest } from '../src/index.js'
import { type ArtworkAssignment } from '../src/tools.js'
import { fillArtworkJobs } from './fill.js'
import { createBenchDatabase, type ServerKind } from './servers.js'

/** The batch sizes measured; the module's default is chosen from these (see docs/benchmarks.md). */
export const LINK_BATCH_SIZES: readonly number[] = [250, 500, 1000, 2000, 5000, 10000]
export const LINK_USERS = 1000
/** Rows per INSERT when filling the staging table, as a hand-written script would. */
const STAGING_CHUNK = 1000

export interface LinkWay {
  /** `staging-table join` or `linkArtworks, batch N`. */
  readonly how: string
  readonly batchSize?: number
  readonly ms: number
  readonly rowsPerSecond: number
  /** linkArtworks only: the staging join's rows/s, the mean of the runs just before and after. */
  readonly floorRowsPerSecond?: number
}

export interface LinkResult {
  readonly rows: number
  readonly users: number
  /** Every staging-table run, in order: before the first linkArtworks run and after each. */
  readonly staging: readonly LinkWay[]
  readonly ours: readonly LinkWay[]
}

export interface LinkOptions {
  readonly rows: number
  readonly batchSizes?: readonly number[]
  readonly log: (line: string) => void
}

export async function measureLinking(kind: ServerKind, options: LinkOptions): Promise<LinkResult> {
  const copy = await createBenchDatabase(kind, 'link')
  const { db } = await connectDatabase({ url: copy.url })
  try {
    options.log(`  link: filling ${copy.name} with ${options.rows.toLocaleString('en')} artworks and ${LINK_USERS} users...`)
    await fillArtworkJobs(db, kind, options.rows)
    await migrateToLatest(db)
    await addUsers(db)
    const assignments: ArtworkAssignment[] = []
    for (let n = 1; n <= options.rows; n++) assignments.push({ jobId: `job-${n}`, user: userEmail(n % LINK_USERS) })

    const time = async (how: string, link: () => Promise<unknown>, batchSize?: number): Promise<LinkWay> => {
      await resetOwners(db, kind)
      const started = performance.now()
      await link()
      const ms = performance.now() - started
      const linked = await countLinked(db)
      if (linked !== options.rows) throw new Error(`${how} linked ${linked} of ${options.rows} artworks`)
      const way = { how, batchSize, ms, rowsPerSecond: (options.rows / ms) * 1000 }
      options.log(`  link: ${how}: ${(ms / 1000).toFixed(2)} s, ${Math.round(way.rowsPerSecond).toLocaleString('en')} rows/s`)
      return way
    }

    const staging = [await time('staging-table join', () => stagingJoin(db, kind, assignments))]
    const ours: LinkWay[] = []
    for (const batchSize of options.batchSizes ?? LINK_BATCH_SIZES) {
      const way = await time(`linkArtworks, batch ${batchSize}`, () => linkArtworks(db, assignments, { batchSize }), batchSize)
      const before = staging.at(-1)!
      const after = await time('staging-table join', () => stagingJoin(db, kind, assignments))
      staging.push(after)
      ours.push({ ...way, floorRowsPerSecond: (before.rowsPerSecond + after.rowsPerSecond) / 2 })
    }
    return { rows: options.rows, users: LINK_USERS, staging, ours }
  } finally {
    await db.destroy()
    await copy.drop()
  }
}

function userEmail(n: number): string {
  return `user-${n}@example.com`
}

/** `LINK_USERS` users, `u-0`…, with emails `user-<n>@example.com`. */
export async function addUsers(db: Kysely<any>): Promise<void> {
  const now = new Date()
  const users = Array.from({ length: LINK_USERS }, (_, n) => ({ id: `u-${n}`, name: `User ${n}`, email: userEmail(n), createdAt: now, updatedAt: now }))
  await db.insertInto('user').values(users).execute()
}

async function resetOwners(db: Kysely<any>, kind: ServerKind): Promise<void> {
  await sql`update artwork_jobs set user_id = null where user_id is not null`.execute(db)
  // The dead row versions of the last run would otherwise slow the next one down.
  if (kind === 'postgres') await sql`vacuum (analyze) artwork_jobs`.execute(db)
}

async function countLinked(db: Kysely<any>): Promise<number> {
  const { rows } = await sql<{ n: string | number }>`select count(*) as n from artwork_jobs where user_id is not null`.execute(db)
  return Number(rows[0]!.n)
}

/**
 * The hand-written way, on one connection (a temporary table belongs to its session): create
 * the staging table, fill it with multi-row INSERTs, then one UPDATE joining it to
 * `artwork_jobs` (by job id, in the column's own collation) and `user` (by email).
 */
async function stagingJoin(db: Kysely<any>, kind: ServerKind, assignments: readonly ArtworkAssignment[]): Promise<void> {
  await db.connection().execute(async (conn) => {
    if (kind === 'postgres') await sql`create temporary table link_staging (job_id text primary key, email text not null)`.execute(conn)
    else await sql`create temporary table link_staging (job_id varchar(255) primary key, email varchar(255) not null) default charset=utf8mb4 collate=utf8mb4_unicode_ci`.execute(conn)
    try {
      for (let from = 0; from < assignments.length; from += STAGING_CHUNK) {
        const chunk = assignments.slice(from, from + STAGING_CHUNK)
        await sql`insert into link_staging (job_id, email) values ${sql.join(chunk.map((a) => sql`(${a.jobId}, ${a.user})`))}`.execute(conn)
      }
      if (kind === 'postgres') {
        await sql`update artwork_jobs as a set user_id = u.id
          from link_staging as s join "user" as u on u.email = s.email
          where a.job_id = s.job_id and a.user_id is null`.execute(conn)
      } else {
        await sql`update artwork_jobs as a
          join link_staging as s on a.job_id = s.job_id
          join ${sql.table('user')} as u on u.email = s.email
          set a.user_id = u.id
          where a.user_id is null`.execute(conn)
      }
    } finally {
      await sql`drop table link_staging`.execute(conn)
    }
  })
}
