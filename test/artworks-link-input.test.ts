/**
 * `artworks:link` on bad input and on a run cut short (issue 12, item 6): the whole input is
 * checked before the first batch, and a batch that fails after others committed says so.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql, type Kysely, type KyselyPlugin, type QueryId } from 'kysely'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { connectDatabase, LinkInterruptedError, linkArtworks, migrateToLatest, UsageError } from '../src/index.js'
import { type Database } from '../src/schema.js'
import { describeEachDatabase, useSuiteDatabase, type DatabaseKind, type TestDatabase } from './support/databases.js'

const JOBS = ['job-1', 'job-2', 'job-3', 'job-4']

describeEachDatabase('artworks:link checks its whole input first, and says what a failed run committed', (kind) => {
  let db: Kysely<Database>
  let testDb: TestDatabase
  let dir: string
  const suite = useSuiteDatabase(kind, (opened) => {
    db = opened.database.db
    testDb = opened.testDb
  })
  const owners = async () =>
    Object.fromEntries((await db.selectFrom('artwork_jobs').select(['job_id', 'user_id']).orderBy('job_id').execute()).map((r) => [r.job_id, r.user_id]))
  const unlinked = Object.fromEntries(JOBS.map((job) => [job, null]))

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'artorizer-link-input-'))
    await migrateToLatest(db)
    await db.insertInto('user').values([
      { id: 'u-ada', name: 'Ada', email: 'ada@example.com' },
      { id: 'u-bob', name: 'Bob', email: 'bob@example.com' },
    ]).execute()
    await db.insertInto('artwork_jobs').values(JOBS.map((job_id) => ({ job_id, original_url: 'x' }))).execute()
  })
  beforeEach(async () => {
    await db.updateTable('artwork_jobs').set({ user_id: null }).execute()
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('refuses a CSV that is not UTF-8, naming the line, before linking the lines above it', async () => {
    const csv = join(dir, 'cp1252.csv')
    // "René" as Windows-1252 writes it: é is the single byte 0xE9.
    writeFileSync(csv, Buffer.concat([Buffer.from('job_id,email\njob-1,ada@example.com\njob-2,ren'), Buffer.from([0xe9]), Buffer.from('@example.com\n')]))
    const { code, stderr } = await suite.cli('artworks:link', '--csv', csv, '--batch-size', '1')
    expect(code).toBe(2)
    expect(stderr).toContain(`the CSV file ${csv}, line 3: byte 0xE9 at byte 10 of the line is not UTF-8`)
    expect(stderr).toContain('save it as UTF-8')
    expect(await owners()).toEqual(unlinked)
  })

  it('refuses a NUL byte in the second batch before the first batch is written', async () => {
    const csv = join(dir, 'nul.csv')
    writeFileSync(csv, 'job-1,ada@example.com\njob-2,ada@example.com\njob\u00003,ada@example.com\n')
    const { code, stderr } = await suite.cli('artworks:link', '--csv', csv, '--batch-size', '2')
    expect(code).toBe(2)
    expect(stderr).toContain('line 3: the job id "job\\u00003" holds a NUL character (at character 4)')
    expect(stderr).toContain('Nothing was written')
    expect(await owners()).toEqual(unlinked)
  })

  it('refuses a 10 MB job id without echoing it, and writes nothing', async () => {
    const huge = 'j'.repeat(10 * 1024 * 1024)
    const run = linkArtworks(db, [{ jobId: 'job-1', user: 'ada@example.com' }, { jobId: huge, user: 'ada@example.com' }], { batchSize: 1 })
    const error = await run.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UsageError)
    expect((error as Error).message).toContain('is 10,485,760 characters long, more than 255')
    expect((error as Error).message.length).toBeLessThan(300)
    expect(await owners()).toEqual(unlinked)
  })

  it('says how many rows a failed run committed and that a rerun finishes the job', async () => {
    await refuseUpdatesOf(db, kind, 'job-3')
    try {
      const assignments = JOBS.map((jobId) => ({ jobId, user: 'ada@example.com' }))
      const error = await linkArtworks(db, assignments, { batchSize: 2 }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(LinkInterruptedError)
      expect((error as LinkInterruptedError).progress).toEqual({ batch: 2, batches: 2, committedJobs: 2, total: 4, linked: 2, reassigned: 0 })
      expect((error as Error).message).toMatch(
        /^linking stopped in batch 2 of 2: .*job-3 is refused\. The batch before it is committed \(2 of 4 job ids: 2 linked, 0 moved\); the rest is unchanged\. Fix the cause and run the same command again/,
      )
      expect(await owners()).toEqual({ 'job-1': 'u-ada', 'job-2': 'u-ada', 'job-3': null, 'job-4': null })

      // The command line says the same, in one line.
      const csv = join(dir, 'owners.csv')
      writeFileSync(csv, JOBS.map((job) => `${job},bob@example.com`).join('\n'))
      await db.updateTable('artwork_jobs').set({ user_id: null }).where('user_id', 'is not', null).execute() // job-3's row stays as it is
      const cli = await suite.cli('artworks:link', '--csv', csv, '--batch-size', '2')
      expect(cli.code).toBe(1)
      expect(cli.stderr).toContain('linking stopped in batch 2 of 2')
      expect(cli.stderr).toContain('The batch before it is committed (2 of 4 job ids: 2 linked, 0 moved)')
      expect(cli.stderr.trim().split('\n')).toHaveLength(1)
    } finally {
      await allowUpdates(db, kind)
    }
    // The rerun finishes: what is linked already counts as unchanged.
    const rerun = await linkArtworks(db, JOBS.map((jobId) => ({ jobId, user: 'bob@example.com' })), { batchSize: 2 })
    expect(rerun).toMatchObject({ linked: 2, unchanged: 2, jobsNotFound: [], linkedToOther: [] })
    expect(await owners()).toEqual(Object.fromEntries(JOBS.map((job) => [job, 'u-bob'])))
  })

  it.skipIf(kind === 'pglite')('redoes a batch under FOR UPDATE when a row changes owner between its read and its write', async () => {
    // Another session links job-2 to Bob right after linkArtworks read the batch (unlocked).
    const other = await connectDatabase({ url: testDb.url })
    try {
      const reads = new WeakSet<QueryId>()
      let interfered = false
      const interfere: KyselyPlugin = {
        transformQuery(args) {
          // linkArtworks' read of the batch: a select (query builder or raw SQL) of artwork_jobs.
          const text = JSON.stringify(args.node)
          const isRead = args.node.kind === 'SelectQueryNode' || (args.node.kind === 'RawNode' && /^\["?\s*select/i.test(JSON.stringify((args.node as { sqlFragments?: unknown }).sqlFragments)))
          if (isRead && text.includes('artwork_jobs')) reads.add(args.queryId)
          return args.node
        },
        async transformResult(args) {
          if (!interfered && reads.has(args.queryId)) {
            interfered = true
            await other.db.updateTable('artwork_jobs').set({ user_id: 'u-bob' }).where('job_id', '=', 'job-2').execute()
          }
          return args.result
        },
      }
      const report = await linkArtworks(db.withPlugin(interfere), JOBS.map((jobId) => ({ jobId, user: 'ada@example.com' })))
      expect(interfered).toBe(true)
      // What is reported is what was written: job-2 is Bob's and was left alone.
      expect(report).toMatchObject({ linked: 3, reassigned: 0, unchanged: 0, linkedToOther: [{ jobId: 'job-2', userId: 'u-bob' }], batches: 1 })
      expect(await owners()).toEqual({ 'job-1': 'u-ada', 'job-2': 'u-bob', 'job-3': 'u-ada', 'job-4': 'u-ada' })
    } finally {
      await other.db.destroy()
    }
  })
})

/** A trigger that makes every update of `jobId`'s row fail: a batch that fails for real. */
async function refuseUpdatesOf(db: Kysely<any>, kind: DatabaseKind, jobId: string): Promise<void> {
  if (kind === 'mysql') {
    await sql`create trigger refuse_job before update on artwork_jobs for each row
      begin
        if new.job_id = ${sql.lit(jobId)} then signal sqlstate '45000' set message_text = ${sql.lit(`${jobId} is refused`)}; end if;
      end`.execute(db)
    return
  }
  await sql`create function refuse_job() returns trigger language plpgsql as $$
    begin
      if new.job_id = ${sql.lit(jobId)} then raise exception ${sql.lit(`${jobId} is refused`)}; end if;
      return new;
    end $$`.execute(db)
  await sql`create trigger refuse_job before update on artwork_jobs for each row execute function refuse_job()`.execute(db)
}

async function allowUpdates(db: Kysely<any>, kind: DatabaseKind): Promise<void> {
  await sql`drop trigger refuse_job${kind === 'mysql' ? sql`` : sql` on artwork_jobs`}`.execute(db)
  if (kind !== 'mysql') await sql`drop function refuse_job()`.execute(db)
}
