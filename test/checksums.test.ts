/**
 * Every applied migration has its checksum, however the run ended and whoever ran it: a
 * migrating process SIGKILLed at several points (right after a migration's `kysely_migration`
 * row, and in the middle of a migration), then rerun by the next boot (`migrateToLatest`) or by
 * kysely-ctl (`npx kysely migrate:latest`, through `kysely.config.ts`). And where a checksum is
 * missing, `migrate:status` and `db:verify` say so instead of claiming a match.
 */
import { sql, type Kysely } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { migrateToLatest, migrationStatus, verifyDatabase } from '../src/index.js'
import { MIGRATION_TABLE, migrationNames } from '../src/tools.js'
import { CHECKSUM_TABLE, SUPERSEDED_CHECKSUMS, migrationChecksums } from '../src/migrator/migration-sql.js'
import { finished, runCli, runKyselyCtl, spawnBundled, type ProcessResult } from './support/bundled-cli.js'
import { createTestDatabase, describeEachDatabase, type DatabaseKind, type TestDatabase } from './support/databases.js'

function runMigrator(testDb: TestDatabase, args: string[]): Promise<ProcessResult> {
  return spawnBundled('test/support/migrate-runner.ts', ['migrate', ...args], { DATABASE_URL: testDb.url }).then(finished)
}

/** kysely-ctl, as docs/cli.md says to run it, over `kysely.config.ts`. */
function kyselyCtl(testDb: TestDatabase, ...args: string[]): Promise<ProcessResult> {
  return runKyselyCtl(args, { DATABASE_URL: testDb.url })
}

async function withDb<T>(testDb: TestDatabase, work: (db: Kysely<any>) => Promise<T>): Promise<T> {
  const database = await testDb.connect()
  try {
    return await work(database.db)
  } finally {
    await database.db.destroy()
  }
}

/** The applied migrations, and those of them with a checksum. */
async function bookkeeping(db: Kysely<any>): Promise<{ applied: string[]; withChecksum: string[] }> {
  const applied = (await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)} order by name`.execute(db)).rows.map((r) => r.name)
  const checksums = (await sql<{ name: string }>`select name from ${sql.table(CHECKSUM_TABLE)} order by name`.execute(db).catch(() => ({ rows: [] }))).rows.map(
    (r) => r.name,
  )
  return { applied, withChecksum: checksums.filter((name) => applied.includes(name)) }
}

describeEachDatabase('checksums survive an interrupted run', (kind: DatabaseKind) => {
  if (kind === 'pglite') {
    // Killing a PGlite process mid-write is crash.test.ts's business (skipped there too); the
    // per-step recording and kysely-ctl are tested on PGlite below.
    it.skip('PGlite is embedded: the kill points are tested on the servers', () => {})
    return
  }

  let statements: string[] = []
  beforeAll(async () => {
    const testDb = await createTestDatabase(kind)
    try {
      const run = await runMigrator(testDb, [])
      expect(run.code, run.stderr).toBe(0)
      statements = [...run.stdout.matchAll(/^START \d+ (.*)$/gm)].map((m) => m[1]!)
    } finally {
      await testDb.drop()
    }
  })

  it('kills right after each migration is recorded, and midway, then reruns by boot and by kysely-ctl', async () => {
    const recorded = statements.flatMap((s, i) => (/^insert into [`"]kysely_migration[`"]/i.test(s) ? [i + 1] : []))
    expect(recorded).toHaveLength(migrationNames.length)
    // The statement after each `kysely_migration` row (the run goes on), and one in the middle
    // of the second migration.
    const points = [...recorded.slice(0, -1).map((k) => k + 1), Math.round((recorded[0]! + recorded[1]!) / 2)]
    for (const [i, k] of points.entries()) {
      const testDb = await createTestDatabase(kind)
      try {
        const killed = await runMigrator(testDb, ['--kill-at', String(k)])
        expect(killed.signal, `statement ${k}: ${killed.stderr}`).toBe('SIGKILL')
        const afterKill = await withDb(testDb, bookkeeping)
        expect(afterKill.withChecksum, `killed at statement ${k} (${statements[k - 1]})`).toEqual(afterKill.applied)
        if (i % 2 === 0) {
          const rerun = await kyselyCtl(testDb, 'migrate:latest')
          expect(rerun.code, rerun.stderr + rerun.stdout).toBe(0)
        } else {
          await withDb(testDb, (db) => migrateToLatest(db))
        }
        await withDb(testDb, async (db) => {
          const after = await bookkeeping(db)
          expect(after.applied).toEqual(migrationNames)
          expect(after.withChecksum, `after a kill at statement ${k} and a rerun`).toEqual(migrationNames)
          expect((await migrationStatus(db)).map((m) => m.drift)).toEqual(migrationNames.map(() => undefined))
        })
      } finally {
        await testDb.drop()
      }
    }
  })
})

describeEachDatabase('checksums, whoever runs the migrations', (kind: DatabaseKind) => {
  it('kysely-ctl (kysely.config.ts) records every checksum, and undoing forgets it', async () => {
    const testDb = await createTestDatabase(kind)
    try {
      const up = await kyselyCtl(testDb, 'migrate:latest')
      expect(up.code, up.stderr + up.stdout).toBe(0)
      const expected = await migrationChecksums(kind === 'mysql' ? 'mysql' : 'postgres')
      await withDb(testDb, async (db) => {
        const rows = await db.selectFrom(CHECKSUM_TABLE).select(['name', 'checksum']).orderBy('name').execute()
        expect(rows).toEqual(migrationNames.map((name) => ({ name, checksum: expected.get(name) })))
      })
      const down = await kyselyCtl(testDb, 'migrate:down')
      expect(down.code, down.stderr + down.stdout).toBe(0)
      await withDb(testDb, async (db) => expect((await bookkeeping(db)).withChecksum).toEqual(migrationNames.slice(0, -1)))
      await withDb(testDb, async (db) => {
        expect((await db.selectFrom(CHECKSUM_TABLE).select('name').execute()).map((r) => r.name).sort()).toEqual(migrationNames.slice(0, -1))
      })
    } finally {
      await testDb.drop()
    }
  })

  it('says "no checksum" where one is missing, in migrate:status and db:verify, instead of claiming a match', async () => {
    const testDb = await createTestDatabase(kind)
    try {
      await withDb(testDb, async (db) => {
        await migrateToLatest(db)
        await db.deleteFrom(CHECKSUM_TABLE).where('name', '=', '0002_artorizer_user_link').execute()
        expect((await migrationStatus(db)).find((m) => m.name === '0002_artorizer_user_link')?.drift).toBe('unchecked')
        const drift = (await verifyDatabase(db)).checks.find((c) => c.name === 'drift')!
        expect(drift.items).toEqual([expect.objectContaining({ status: 'warn', subject: '0002_artorizer_user_link', detail: expect.stringContaining('no checksum') })])
      })
      const status = await runCli(['migrate:status'], { DATABASE_URL: testDb.url })
      expect(status.code).toBe(0)
      expect(status.stdout).toMatch(/0002_artorizer_user_link .*no checksum recorded/)
      const verify = await runCli(['db:verify'], { DATABASE_URL: testDb.url })
      expect(verify.stdout).not.toContain('every applied migration runs the SQL it ran when applied')
      expect(verify.stdout).toContain('no checksum')
    } finally {
      await testDb.drop()
    }
  })
})

describe('superseded checksums', () => {
  it('are not the current ones (each records a change in how a migration runs, not what it makes)', async () => {
    for (const dialect of ['postgres', 'mysql'] as const) {
      const current = await migrationChecksums(dialect)
      for (const [name, old] of Object.entries(SUPERSEDED_CHECKSUMS[dialect])) {
        expect(migrationNames).toContain(name)
        expect(old).not.toContain(current.get(name))
      }
    }
  })
})
