/**
 * A migrating process killed (SIGKILL) anywhere in the sequence, then `migrate:latest` again:
 * the database must converge every time to the complete, valid schema, with the same ledger of
 * what each migration created, and lose no row.
 *
 * The kill points are chosen by the test: a first, uninterrupted run of the migrating process
 * (`support/migrate-runner.ts`) lists every statement it sends; then, for a spread of statement
 * numbers k, a new process on a new database kills itself as statement k starts. Two more runs
 * kill inside a long index build on a large `artwork_jobs`: one where the server aborts the
 * build too (PostgreSQL then leaves an INVALID index behind), one where the orphaned build runs
 * on while the next process waits for the lock. The first is made deterministic by pausing the
 * process before the build and, on PostgreSQL, holding an old snapshot that keeps the build in
 * its last phase until the test has killed it.
 */
import { randomBytes } from 'node:crypto'
import { rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrateToLatest } from '../src/index.js'
import { MIGRATION_TABLE, migrationNames } from '../src/tools.js'
import { listIndexes, tableExists } from '../src/ddl/introspect.js'
import { finished, spawnBundled, type ProcessResult } from './support/bundled-cli.js'
import { createTestDatabase, describeEachDatabase, type DatabaseKind, type TestDatabase } from './support/databases.js'
import { snapshotSchema } from './support/schema-snapshot.js'

/** Kill points per starting state, spread evenly over its statements. */
const POINTS_PER_SCENARIO = 5
/** Rows in the large artwork_jobs: 2^17, enough for an index build that takes a while. */
const LARGE_DOUBLINGS = 17

type Seed = 'empty' | 'legacy'

interface Outcome {
  readonly schema: Record<string, unknown>
  readonly ledger: unknown[]
  readonly migrations: string[]
  readonly artworks: unknown[]
  readonly uploads: unknown[]
}

describeEachDatabase('a migration killed at any point converges on the next run', (kind) => {
  if (kind === 'pglite') {
    it.skip('PGlite is embedded: a killed process takes the database with it', () => {})
    return
  }

  for (const seed of ['legacy', 'empty'] as const) {
    describe(`starting from ${seed === 'legacy' ? 'a legacy artwork_jobs and upload_history with rows' : 'an empty database'}`, () => {
      let statements: string[] = []
      let reference: Outcome

      beforeAll(async () => {
        const testDb = await seededDatabase(kind, seed)
        try {
          const run = await runMigrator(testDb, [])
          expect(run.code, run.stderr).toBe(0)
          statements = [...run.stdout.matchAll(/^START \d+ (.*)$/gm)].map((m) => m[1]!)
          reference = await outcome(testDb)
        } finally {
          await testDb.drop()
        }
      })

      it(`kills at ${POINTS_PER_SCENARIO} points spread over the whole sequence (and, from empty, inside Kysely's bootstrap)`, async () => {
        expect(statements.length).toBeGreaterThan(20)
        expect(reference.migrations).toEqual(migrationNames)
        const points = Array.from({ length: POINTS_PER_SCENARIO }, (_, i) => Math.max(1, Math.round(((i + 0.5) * statements.length) / POINTS_PER_SCENARIO)))
        // And one inside Kysely's own bootstrap: its migration table made, its lock table not yet.
        if (seed === 'empty') points.unshift(statements.findIndex((s) => /create table .*kysely_migration_lock/i.test(s)) + 1)
        expect(points.every((k) => k >= 1 && k <= statements.length)).toBe(true)
        for (const k of points) {
          const testDb = await seededDatabase(kind, seed)
          try {
            const killed = await runMigrator(testDb, ['--kill-at', String(k)])
            expect(killed.signal, `statement ${k} (${statements[k - 1]}): ${killed.stderr}`).toBe('SIGKILL')
            await recover(testDb)
            expect(await outcome(testDb), `after a kill at statement ${k}: ${statements[k - 1]}`).toEqual(reference)
          } finally {
            await testDb.drop()
          }
        }
      })
    })
  }

  describe('inside a long index build on a large artwork_jobs', () => {
    it('when the server aborts the build too (a lost connection): rebuilt, no INVALID index', async () => {
      // PostgreSQL's build is held by a snapshot, so any size will do; MySQL's must last.
      const testDb = await seededDatabase(kind, 'legacy', kind === 'postgres' ? 10 : LARGE_DOUBLINGS)
      const admin = await testDb.connect()
      const resumeFile = join(tmpdir(), `artorizer-resume-${randomBytes(6).toString('hex')}`)
      try {
        const rows = await countArtworks(testDb)
        const child = await spawnBundled('test/support/migrate-runner.ts', ['migrate', '--pause-on', 'artwork_jobs_user_id_idx', '--resume-file', resumeFile], {
          DATABASE_URL: testDb.url,
        })
        const ended = finished(child)
        await new Promise<void>((resolve, reject) => {
          child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('PAUSED') && resolve())
          child.on('close', () => reject(new Error('the migrating process ended before the index build')))
        })
        await admin.db.connection().execute(async (snapshotHolder) => {
          // PostgreSQL: an open snapshot that is older than the build holds CREATE INDEX
          // CONCURRENTLY in its last phase, index made but INVALID, for as long as we like.
          if (kind === 'postgres') {
            await sql`begin isolation level repeatable read`.execute(snapshotHolder)
            await sql`select count(*) from kysely_migration`.execute(snapshotHolder)
          }
          writeFileSync(resumeFile, '')
          const running = await waitForStatement(admin.db, testDb, 'artwork_jobs_user_id_idx', kind === 'postgres')
          child.kill('SIGKILL')
          expect((await ended).signal).toBe('SIGKILL')
          // The server notices the lost client only when it next talks to it: end the build the
          // way it ends when the connection drops mid-statement.
          for (const id of running) {
            if (kind === 'mysql') await sql`kill ${sql.lit(id)}`.execute(admin.db).catch(() => {})
            else await sql`select pg_terminate_backend(${id})`.execute(admin.db)
          }
          if (kind === 'postgres') await sql`commit`.execute(snapshotHolder)
        })
        for (let i = 0; i < 200 && (await statementsRunning(admin.db, testDb, 'artwork_jobs_user_id_idx')).length > 0; i++) await sleep(50)
        const left = (await listIndexes(admin.db, 'artwork_jobs')).find((index) => index.name === 'artwork_jobs_user_id_idx')
        // PostgreSQL keeps the half-built index as INVALID; MySQL rolls the aborted ALTER back.
        if (kind === 'postgres') expect(left?.valid).toBe(false)
        else expect(left).toBeUndefined()

        await recover(testDb)
        await expectCompleteAndValid(testDb, rows)
      } finally {
        rmSync(resumeFile, { force: true })
        await admin.db.destroy()
        await testDb.drop()
      }
    })

    it('when the orphaned build runs on: the next run waits for it, then finishes', async () => {
      const testDb = await seededDatabase(kind, 'legacy', LARGE_DOUBLINGS)
      try {
        const rows = await countArtworks(testDb)
        const killed = await runMigrator(testDb, ['--kill-on', 'artwork_jobs_user_id_created_at_idx', '--kill-delay', '30'])
        expect(killed.signal).toBe('SIGKILL')
        await recover(testDb)
        await expectCompleteAndValid(testDb, rows)
      } finally {
        await testDb.drop()
      }
    })
  })
})

async function expectCompleteAndValid(testDb: TestDatabase, rows: number): Promise<void> {
  await withDb(testDb, async (db) => {
    expect((await db.selectFrom(MIGRATION_TABLE).select('name').orderBy('name').execute()).map((r) => r.name)).toEqual(migrationNames)
    const indexes = await listIndexes(db, 'artwork_jobs')
    expect(indexes.filter((index) => !index.valid)).toEqual([])
    expect(indexes.map((index) => index.name)).toEqual(expect.arrayContaining(['artwork_jobs_user_id_idx', 'artwork_jobs_user_id_created_at_idx']))
  })
  expect(await countArtworks(testDb)).toBe(rows)
  const schema = await withDb(testDb, snapshotSchema)
  const reference = await referenceSchema(testDb.kind)
  expect(schema).toEqual(reference)
}

const referenceSchemas = new Map<DatabaseKind, Promise<Record<string, unknown>>>()
/** The schema an uninterrupted run leaves on the legacy seed. */
function referenceSchema(kind: DatabaseKind): Promise<Record<string, unknown>> {
  let schema = referenceSchemas.get(kind)
  if (!schema) {
    schema = (async () => {
      const testDb = await seededDatabase(kind, 'legacy')
      try {
        await withDb(testDb, (db) => migrateToLatest(db))
        return await withDb(testDb, snapshotSchema)
      } finally {
        await testDb.drop()
      }
    })()
    referenceSchemas.set(kind, schema)
  }
  return schema
}

/** A new database; `legacy` adds Artorizer's pre-accounts tables with rows (2^doublings artworks). */
async function seededDatabase(kind: DatabaseKind, seed: Seed, doublings = 3): Promise<TestDatabase> {
  const testDb = await createTestDatabase(kind)
  if (seed === 'legacy') {
    await withDb(testDb, async (db) => {
      const serial = kind === 'mysql' ? sql`int not null auto_increment primary key` : sql`serial primary key`
      await sql`create table artwork_jobs (id ${serial}, job_id varchar(64) not null, original_url text not null,
        protected_url text, status varchar(20) not null, created_at timestamp not null default current_timestamp)`.execute(db)
      await sql`create table upload_history (id ${serial}, uploaded_at timestamp not null default current_timestamp, filename text)`.execute(db)
      await db.insertInto('artwork_jobs').values({ job_id: 'job', original_url: 's3://in/0.png', status: 'done' }).execute()
      for (let i = 0; i < doublings; i++) {
        await sql`insert into artwork_jobs (job_id, original_url, status)
          select concat(job_id, ${sql.lit(`-${i}`)}), original_url, status from artwork_jobs`.execute(db)
      }
      await db.insertInto('upload_history').values([{ filename: 'a.png' }, { filename: 'b.png' }]).execute()
    })
  }
  return testDb
}

function runMigrator(testDb: TestDatabase, args: string[]): Promise<ProcessResult> {
  return spawnBundled('test/support/migrate-runner.ts', ['migrate', ...args], { DATABASE_URL: testDb.url }).then(finished)
}

/** The next boot: `migrate:latest` in this process, as router-backend would. */
async function recover(testDb: TestDatabase): Promise<void> {
  await withDb(testDb, (db) => migrateToLatest(db))
}

/** Server sessions of `testDb` (other than ours) running a statement whose text holds `marker`. */
async function statementsRunning(db: Kysely<any>, testDb: TestDatabase, marker: string, waitingOnly = false): Promise<number[]> {
  const database = new URL(testDb.url).pathname.slice(1)
  const query =
    testDb.kind === 'mysql'
      ? sql<{ id: number }>`select id from information_schema.processlist where db = ${database} and info like ${`%${marker}%`} and id <> connection_id()`
      : sql<{ id: number }>`select pid as id from pg_stat_activity where datname = ${database} and query like ${`%${marker}%`}
          and pid <> pg_backend_pid() and state = 'active' ${waitingOnly ? sql`and wait_event_type = 'Lock'` : sql``}`
  return (await query.execute(db)).rows.map((r) => Number(r.id))
}

/** Waits until the statement is running on the server (and, if asked, waiting on a lock). */
async function waitForStatement(db: Kysely<any>, testDb: TestDatabase, marker: string, waitingOnly: boolean): Promise<number[]> {
  for (let i = 0; i < 600; i++) {
    const ids = await statementsRunning(db, testDb, marker, waitingOnly)
    if (ids.length > 0) return ids
    await sleep(25)
  }
  throw new Error(`no statement with ${marker} ever ran`)
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

async function countArtworks(testDb: TestDatabase): Promise<number> {
  return withDb(testDb, async (db) => {
    const row = await db.selectFrom('artwork_jobs').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow()
    return Number(row.n)
  })
}

async function outcome(testDb: TestDatabase): Promise<Outcome> {
  return withDb(testDb, async (db) => ({
    schema: await snapshotSchema(db),
    ledger: await db.selectFrom('artorizer_schema_objects').select(['migration', 'kind', 'table_name', 'object_name']).orderBy('migration').orderBy('position').execute(),
    migrations: (await db.selectFrom(MIGRATION_TABLE).select('name').orderBy('name').execute()).map((r) => r.name),
    artworks: (await tableExists(db, 'artwork_jobs')) ? await db.selectFrom('artwork_jobs').select(['id', 'job_id', 'status']).orderBy('id').execute() : [],
    uploads: (await tableExists(db, 'upload_history')) ? await db.selectFrom('upload_history').select(['id', 'filename']).orderBy('id').execute() : [],
  }))
}

async function withDb<T>(testDb: TestDatabase, work: (db: Kysely<any>) => Promise<T>): Promise<T> {
  const database = await testDb.connect()
  try {
    return await work(database.db)
  } finally {
    await database.db.destroy()
  }
}
