import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { linkArtworks, migrateToLatest, PendingMigrationsError, UsageError } from '../src/index.js'
import { parseCsv } from '../src/artworks/csv.js'
import { type Database } from '../src/schema.js'
import { parseAssignmentsCsv } from '../src/tools.js'
import { runCli } from './support/cli.js'
import { createTestDatabase, describeEachDatabase, useSuiteDatabase, type TestDatabase } from './support/databases.js'

describe('the CSV of job_id,email pairs', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF, a BOM and blank lines', () => {
    const text = '\uFEFFa, b \r\n"c,1","say ""hi"""\r\n\r\n"multi\nline",x\n'
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['c,1', 'say "hi"'] },
      { line: 4, fields: ['multi\nline', 'x'] },
    ])
  })

  it('skips an optional header and reads pairs', () => {
    const pairs = [
      { jobId: 'job-1', user: 'ada@example.com' },
      { jobId: 'job,2', user: 'u-42' },
    ]
    expect(parseAssignmentsCsv('job_id,email\njob-1,ada@example.com\n"job,2",u-42')).toEqual(pairs)
    expect(parseAssignmentsCsv('job-1,ada@example.com\n"job,2",u-42\n')).toEqual(pairs)
  })

  it('names the line of a malformed record', () => {
    expect(() => parseAssignmentsCsv('job_id,email\njob-1,ada@example.com\njob-2,a@b.c,extra')).toThrow(
      new UsageError('CSV line 3: expected 2 fields (job_id,email), found 3; quote a field that contains a comma'),
    )
    expect(() => parseAssignmentsCsv('job-1,\n')).toThrow('CSV line 1: the email (or user id) is empty')
    expect(() => parseCsv('a,b\n"open,c\n')).toThrow('CSV line 2: a quoted field is never closed')
    expect(() => parseCsv('"a"b,c')).toThrow('CSV line 1: unexpected text after a closing quote')
  })
})

describeEachDatabase('linkArtworks', (kind) => {
  let db: Kysely<Database>
  useSuiteDatabase(kind, ({ database }) => (db = database.db))
  const owners = async () =>
    Object.fromEntries((await db.selectFrom('artwork_jobs').select(['job_id', 'user_id']).orderBy('job_id').execute()).map((r) => [r.job_id, r.user_id]))

  it('refuses to run before the migrations', async () => {
    await expect(linkArtworks(db, [{ jobId: 'job-1', user: 'ada@example.com' }])).rejects.toBeInstanceOf(PendingMigrationsError)
  })

  it('links by email (any case) and by id, in batches, and reports what it could not find', async () => {
    await migrateToLatest(db)
    await db
      .insertInto('user')
      .values([
        { id: 'u-ada', name: 'Ada', email: 'ada@example.com' },
        { id: 'u-bob', name: 'Bob', email: 'bob@example.com' },
      ])
      .execute()
    await db
      .insertInto('artwork_jobs')
      .values(['job-1', 'job-2', 'job-3', 'job-4', 'job-5', 'job-6'].map((job_id) => ({ job_id, original_url: `s3://in/${job_id}.png` })))
      .execute()

    const batches: number[] = []
    const report = await linkArtworks(
      db,
      [
        { jobId: 'job-1', user: 'Ada@Example.COM' },
        { jobId: 'job-2', user: 'ada@example.com' },
        { jobId: 'job-2', user: 'ada@example.com' }, // a repeat is one job
        { jobId: 'job-3', user: 'u-bob' },
        { jobId: 'job-404', user: 'ada@example.com' },
        { jobId: 'JOB-4', user: 'ada@example.com' }, // job ids match exactly, whatever the collation
        { jobId: 'job-5', user: 'nobody@example.com' },
        { jobId: 'job-6', user: 'u-nobody' },
      ],
      { batchSize: 3, onBatch: ({ done }) => batches.push(done) },
    )
    expect(report).toEqual({
      requested: 7,
      linked: 3,
      reassigned: 0,
      unchanged: 0,
      linkedToOther: [],
      jobsNotFound: ['job-404', 'JOB-4'],
      usersNotFound: [
        { user: 'nobody@example.com', jobs: 1 },
        { user: 'u-nobody', jobs: 1 },
      ],
      batches: 3,
    })
    expect(batches).toEqual([3, 6, 7])
    expect(await owners()).toEqual({ 'job-1': 'u-ada', 'job-2': 'u-ada', 'job-3': 'u-bob', 'job-4': null, 'job-5': null, 'job-6': null })
  })

  it('is idempotent: a second run changes nothing and says so', async () => {
    const before = await owners()
    const report = await linkArtworks(db, [
      { jobId: 'job-1', user: 'ada@example.com' },
      { jobId: 'job-2', user: 'u-ada' },
    ])
    expect(report).toMatchObject({ requested: 2, linked: 0, reassigned: 0, unchanged: 2, linkedToOther: [] })
    expect(await owners()).toEqual(before)
  })

  it("leaves another user's artwork alone unless told to reassign it", async () => {
    const leftAlone = await linkArtworks(db, [{ jobId: 'job-3', user: 'ada@example.com' }])
    expect(leftAlone).toMatchObject({ linked: 0, reassigned: 0, linkedToOther: [{ jobId: 'job-3', userId: 'u-bob' }] })
    expect((await owners())['job-3']).toBe('u-bob')

    const moved = await linkArtworks(db, [{ jobId: 'job-3', user: 'ada@example.com' }], { reassign: true })
    expect(moved).toMatchObject({ linked: 0, reassigned: 1, linkedToOther: [] })
    expect((await owners())['job-3']).toBe('u-ada')
  })

  it('writes nothing when a job id is given for two users, or the batch size is out of range', async () => {
    const before = await owners()
    await expect(
      linkArtworks(db, [
        { jobId: 'job-4', user: 'ada@example.com' },
        { jobId: 'job-4', user: 'bob@example.com' },
      ]),
    ).rejects.toThrow('job ids given for two different users: job-4 (ada@example.com and bob@example.com)')
    await expect(linkArtworks(db, [{ jobId: 'job-4', user: 'u-ada' }], { batchSize: 0 })).rejects.toBeInstanceOf(UsageError)
    expect(await owners()).toEqual(before)
  })
})

describeEachDatabase('npm run artworks:link', (kind) => {
  let testDb: TestDatabase
  let dir: string
  const cli = (...args: string[]) => runCli(args, { DATABASE_URL: testDb.url })

  beforeAll(async () => {
    testDb = await createTestDatabase(kind)
    dir = mkdtempSync(join(tmpdir(), 'artorizer-csv-'))
    const database = await testDb.connect()
    try {
      await migrateToLatest(database.db)
      await database.db.insertInto('user').values({ id: 'u-ada', name: 'Ada', email: 'ada@example.com' }).execute()
      await database.db
        .insertInto('artwork_jobs')
        .values(['job-1', 'job-2', 'job,3'].map((job_id) => ({ job_id, original_url: 'x' })))
        .execute()
    } finally {
      await database.db.destroy() // a PGlite folder has one user at a time: the CLI's
    }
  })
  afterAll(async () => {
    await testDb?.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('links job ids given as arguments, and exits 1 naming a job it cannot find', async () => {
    const { code, stdout } = await cli('artworks:link', '--user', 'ada@example.com', 'job-1', 'job-9')
    expect(code).toBe(1)
    expect(stdout).toContain('✅ 1 linked')
    expect(stdout).toContain('❌ 1 job not found: job-9')
  })

  it('links the pairs of a CSV file, then finds nothing to change', async () => {
    const csv = join(dir, 'owners.csv')
    writeFileSync(csv, 'job_id,email\r\njob-1,ada@example.com\r\n"job,3","ada@example.com"\r\njob-2,ada@example.com\r\n')
    const first = await cli('artworks:link', '--csv', csv, '--batch-size', '2', '--json')
    expect(first.code).toBe(0)
    expect(JSON.parse(first.stdout)).toMatchObject({ ok: true, requested: 3, linked: 2, unchanged: 1, batches: 2 })
    const second = await cli('artworks:link', '--csv', csv)
    expect(second.code).toBe(0)
    expect(second.stdout).toContain('✅ Nothing to change: 3 artworks already linked to their users')
  })
})
