/**
 * `migrate:latest` through a pg_auto_failover formation's URI (a monitor and two PostgreSQL 15
 * nodes started by the test, see support/auto-failover.ts) with `pg_autoctl perform failover` at
 * three points of the run (support/failover-points.ts): the first run ends with one line naming
 * the server it lost; the rerun, through the same multi-host URI, finds the new primary and
 * converges: `db:verify` passes, no invalid index or NOT VALID constraint, no lock left, every
 * migration recorded with its checksum, no row lost. One trial per point here, 20,000 rows; the
 * 1,000,000-row trials are `npx tsx scripts/failover-trials.ts`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectDatabase, migrateToLatest } from '../src/index.js'
import { migrationNames } from '../src/tools.js'
import { finished, spawnBundled } from './support/bundled-cli.js'
import { runCli } from './support/cli.js'
import { autoFailoverUnavailable, startFormation, type Formation } from './support/auto-failover.js'
import { FAILOVER_POINTS, holdAt, legacyArtworkJobsSql } from './support/failover-points.js'

const unavailable = autoFailoverUnavailable()
const ROWS = 20_000
const plain = { FORCE_COLOR: undefined, NO_COLOR: '1' }

describe.skipIf(unavailable)(`a pg_auto_failover formation${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let formation: Formation
  beforeAll(async () => {
    formation = await startFormation()
  }, 180_000)
  afterAll(async () => {
    await formation?.stop()
  }, 60_000)

  it.each(FAILOVER_POINTS)('a failover at %s: the first run says which server it lost, in one line; the rerun converges', async (point) => {
    const database = `app_${point.replace(/-/g, '_')}`
    formation.psql(`create database ${database}`)
    for (const statement of legacyArtworkJobsSql(ROWS)) formation.psql(statement, database)
    const oldPrimary = formation.primaryPort()
    const url = formation.uri(database)
    const held = await holdAt(point, `postgres://postgres@127.0.0.1:${oldPrimary}/${database}`)
    const run = finished(await spawnBundled('src/cli.ts', ['migrate:latest'], { ...plain, DATABASE_URL: url }))
    try {
      await held.reached()
      await formation.failover()
      const first = await run
      expect(first.code).toBe(1)
      expect(first.stderr).toMatch(/^error: [^\n]+\n$/)
      expect(first.stderr).toContain(`the database server 127.0.0.1:${oldPrimary} `)
      expect(first.stderr).toMatch(/run the same command again: it finishes the job/)
    } finally {
      await held.release()
    }
    expect(formation.primaryPort()).not.toBe(oldPrimary)
    const rerun = await runCli(['migrate:latest'], { ...plain, DATABASE_URL: url })
    expect(rerun.stderr).toBe('')
    expect(rerun.code).toBe(0)
    const verify = await runCli(['db:verify'], { ...plain, DATABASE_URL: url })
    expect(verify.stdout).toContain('Database matches the schema')
    expect(verify.code).toBe(0)
    const q = (sqlText: string) => formation.psql(sqlText, database)
    expect(q('select count(*) from pg_index where not indisvalid')).toBe('0')
    expect(q('select count(*) from pg_constraint where not convalidated')).toBe('0')
    expect(q("select count(*) from pg_locks where locktype = 'advisory'")).toBe('0')
    expect(q('select count(*) from kysely_migration')).toBe(String(migrationNames.length))
    expect(q('select count(*) from artorizer_migration_checksums')).toBe(String(migrationNames.length))
    expect(q('select count(*) from artwork_jobs')).toBe(String(ROWS))
  }, 180_000)

  it('the boot API (migrateToLatest) runs again by itself after the failover and finishes on the new primary', async () => {
    const database = 'app_boot'
    formation.psql(`create database ${database}`)
    for (const statement of legacyArtworkJobsSql(ROWS)) formation.psql(statement, database)
    const oldPrimary = formation.primaryPort()
    const held = await holdAt('index-build', `postgres://postgres@127.0.0.1:${oldPrimary}/${database}`)
    const booted = await connectDatabase({ url: formation.uri(database) })
    try {
      const migrating = migrateToLatest(booted.db, { failoverWaitMs: 120_000 })
      try {
        await held.reached()
        await formation.failover()
      } finally {
        await held.release()
      }
      const applied = await migrating
      expect(applied.map((step) => step.name)).toContain('0004_exact_job_ids')
    } finally {
      await booted.db.destroy()
    }
    expect(formation.primaryPort()).not.toBe(oldPrimary)
    const q = (sqlText: string) => formation.psql(sqlText, database)
    expect(q('select count(*) from kysely_migration')).toBe(String(migrationNames.length))
    expect(q('select count(*) from pg_index where not indisvalid')).toBe('0')
    expect(q('select count(*) from artwork_jobs')).toBe(String(ROWS))
  }, 180_000)
})
