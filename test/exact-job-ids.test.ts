/**
 * `artwork_jobs.job_id` compares byte for byte on every engine (issue 12, item 8; migration
 * 0004): ids that differ only in case, accents or trailing spaces are different artworks, under
 * the unique key and for `artworks:link`, on PGlite, PostgreSQL and MariaDB/MySQL alike. An
 * adopted legacy table keeps its own collation; `down` gives the old collation back when no
 * values would collide, and refuses, changing nothing, when some would.
 */
import { sql, type Kysely } from 'kysely'
import { expect, it } from 'vitest'
import { linkArtworks, migrateDown, migrateToLatest } from '../src/index.js'
import { type Database } from '../src/schema.js'
import { describeEachDatabase, useSuiteDatabase } from './support/databases.js'

/** Pairs that `utf8mb4_unicode_ci` (and `utf8mb4_bin`, for the trailing space) took for one id. */
const LOOKALIKES = ['job-4', 'JOB-4', 'job-2', 'job-2 ', 'job-3', 'jöb-3'] as const
/** The ones `artworks:link` can name: it trims the job ids it is given, so `job-2 ` is out of its reach. */
const LINKABLE = LOOKALIKES.filter((jobId) => jobId.trim() === jobId)

async function columnCollation(db: Kysely<any>, table: string, column: string): Promise<string | null> {
  const { rows } = await sql<{ collation: string | null }>`
    select collation_name as ${sql.ref('collation')} from information_schema.columns
    where table_schema = database() and table_name = ${table} and column_name = ${column}`.execute(db)
  return rows[0]?.collation ?? null
}

describeEachDatabase('job_id compares byte for byte', (kind) => {
  let db: Kysely<Database>
  const suite = useSuiteDatabase(kind, ({ database }) => (db = database.db))

  it('after migrate:latest, look-alike job ids are distinct artworks, each linked exactly', async () => {
    const applied = await migrateToLatest(db)
    expect(applied.map((m) => m.name)).toContain('0004_exact_job_ids')
    if (kind === 'mysql') expect(await columnCollation(db, 'artwork_jobs', 'job_id')).toMatch(/^utf8mb4_(0900|nopad)_bin$/)

    await db.insertInto('user').values([{ id: 'u-ada', name: 'Ada', email: 'ada@example.com' }, { id: 'u-bob', name: 'Bob', email: 'bob@example.com' }]).execute()
    for (const jobId of LOOKALIKES) {
      await db.insertInto('artwork_jobs').values({ job_id: jobId, original_url: `s3://in/${encodeURIComponent(jobId)}` }).execute()
    }
    const rows = await db.selectFrom('artwork_jobs').select(['job_id', 'original_url']).execute()
    expect(rows.map((r) => r.job_id).sort()).toEqual([...LOOKALIKES].sort())

    // Alternately to Ada and Bob: each link finds its own row and no look-alike.
    const report = await linkArtworks(db, LINKABLE.map((jobId, i) => ({ jobId, user: i % 2 === 0 ? 'u-ada' : 'u-bob' })))
    expect(report).toMatchObject({ requested: 5, linked: 5, jobsNotFound: [], linkedToOther: [] })
    const owners = Object.fromEntries((await db.selectFrom('artwork_jobs').select(['job_id', 'user_id', 'original_url']).execute()).map((r) => [r.job_id, [r.user_id, r.original_url]]))
    LINKABLE.forEach((jobId, i) => expect(owners[jobId], jobId).toEqual([i % 2 === 0 ? 'u-ada' : 'u-bob', `s3://in/${encodeURIComponent(jobId)}`]))
    expect(owners['job-2 ']).toEqual([null, 's3://in/job-2%20'])
  })

  it('artworks:link from the command line finds each exactly, and db:verify expects the byte-exact type', async () => {
    // Swap the owners of two pairs of look-alikes: each command moves exactly the row it names.
    for (const [user, jobs] of [['u-bob', ['job-4', 'jöb-3']], ['u-ada', ['JOB-4', 'job-3']]] as const) {
      const linked = await suite.cli('artworks:link', '--reassign', '--user', user, ...jobs)
      expect(linked.code, linked.stdout + linked.stderr).toBe(0)
    }
    const owners = Object.fromEntries((await db.selectFrom('artwork_jobs').select(['job_id', 'user_id']).execute()).map((r) => [r.job_id, r.user_id]))
    expect(owners).toEqual({ 'job-4': 'u-bob', 'JOB-4': 'u-ada', 'job-2': 'u-ada', 'job-2 ': null, 'job-3': 'u-ada', 'jöb-3': 'u-bob' })

    const verified = await suite.cli('db:verify', '--json')
    expect(verified.code, verified.stdout + verified.stderr).toBe(0)
    const report = JSON.parse(verified.stdout) as { warnings: number; failures: number }
    expect(report).toMatchObject({ failures: 0, warnings: 0 })
  })

  it('down refuses, changing nothing, while values would collide under the old collation; then works', async () => {
    if (kind !== 'mysql') {
      // Nothing to undo where text already compared bytes: down is a no-op that succeeds.
      expect((await migrateDown(db)).map((m) => m.name)).toEqual(['0004_exact_job_ids'])
      await migrateToLatest(db)
      return
    }
    const collation = await columnCollation(db, 'artwork_jobs', 'job_id')
    await expect(migrateDown(db)).rejects.toThrow(/0004_exact_job_ids cannot be undone: "artwork_jobs"."job_id" holds values that are distinct now but equal as varchar\(255\)/)
    expect(await columnCollation(db, 'artwork_jobs', 'job_id')).toBe(collation)
    expect(await db.selectFrom('artwork_jobs').select('job_id').execute()).toHaveLength(LOOKALIKES.length)

    await db.deleteFrom('artwork_jobs').where('job_id', 'in', ['JOB-4', 'job-2 ', 'jöb-3']).execute()
    expect((await migrateDown(db)).map((m) => m.name)).toEqual(['0004_exact_job_ids'])
    expect(await columnCollation(db, 'artwork_jobs', 'job_id')).toBe('utf8mb4_unicode_ci')
    await migrateToLatest(db)
    expect(await columnCollation(db, 'artwork_jobs', 'job_id')).toBe(collation)
  })
})

describeEachDatabase('an adopted legacy artwork_jobs keeps its job_id', (kind) => {
  let db: Kysely<Database>
  const suite = useSuiteDatabase(kind, ({ database }) => (db = database.db))

  it('0004 leaves it alone; db:verify warns, and linking still matches exactly', async () => {
    const options = kind === 'mysql' ? sql` engine=InnoDB default charset=utf8mb4 collate=utf8mb4_general_ci` : sql``
    await sql`create table artwork_jobs (id bigint primary key, job_id varchar(64) not null unique, original_url text not null)${options}`.execute(db)
    await db.insertInto('artwork_jobs').values([{ id: 1, job_id: 'job-4', original_url: 's3://a' } as never]).execute()
    await migrateToLatest(db)
    if (kind === 'mysql') expect(await columnCollation(db, 'artwork_jobs', 'job_id')).toBe('utf8mb4_general_ci')

    await db.insertInto('user').values({ id: 'u-ada', name: 'Ada', email: 'ada@example.com' }).execute()
    expect(await linkArtworks(db, [{ jobId: 'JOB-4', user: 'u-ada' }])).toMatchObject({ linked: 0, jobsNotFound: ['JOB-4'] })
    expect(await linkArtworks(db, [{ jobId: 'job-4', user: 'u-ada' }])).toMatchObject({ linked: 1 })

    const verified = await suite.cli('db:verify', '--json')
    expect(verified.code, verified.stdout + verified.stderr).toBe(0)
    const report = JSON.parse(verified.stdout) as { failures: number; checks: { items: { status: string; subject: string; detail: string }[] }[] }
    expect(report.failures).toBe(0)
    if (kind === 'mysql') {
      const jobId = report.checks.flatMap((c) => c.items).find((item) => item.subject === 'artwork_jobs.job_id')
      expect(jobId, verified.stdout).toMatchObject({ status: 'warn' })
      expect(jobId!.detail).toMatch(/collate utf8mb4_general_ci, expected varchar\(255\) utf8mb4 collate utf8mb4_(0900|nopad)_bin/)
    }
  })
})
