import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { connectDatabase, migrateDown, migrateToLatest, migrationStatus, type AuthDatabase } from '../src/index.js'
import { migrationNames } from '../src/tools.js'
import { CHECKSUM_TABLE, migrationSql, pendingMigrationSql } from '../src/migrator/migration-sql.js'
import { runCli } from './support/cli.js'
import { describeEachDatabase, useSuiteDatabase } from './support/databases.js'
import { snapshotSchema } from './support/schema-snapshot.js'

const BOOKKEEPING = /kysely_migration|artorizer_schema_objects|artorizer_migration_checksums|artorizer_auth_shape/

describeEachDatabase('dry run and drift', (kind) => {
  let database: AuthDatabase
  const executed: string[] = []
  // A connection that logs every statement it executes, to compare with the plan; `cli` closes
  // it while the CLI runs (PGlite allows one process per folder).
  const { cli } = useSuiteDatabase(
    kind,
    (opened) => (database = opened.database),
    (testDb) =>
      connectDatabase({
        url: testDb.url,
        log: (event) => {
          if (event.level === 'query') executed.push(event.query.sql.replace(/\s+/g, ' ').trim())
        },
      }),
  )

  it('--dry-run prints the SQL and changes nothing', async () => {
    const before = await snapshotSchema(database.db)
    const { code, stdout } = await cli('migrate:latest', '--dry-run')
    expect(code).toBe(0)
    expect(stdout).toContain('-- 0001_better_auth')
    expect(stdout).toMatch(/create table if not exists ["`]user["`]/)
    expect(stdout).toMatch(/add constraint ["`]artwork_jobs_user_id_fk["`]/)
    expect(await snapshotSchema(database.db)).toEqual(before)
    expect((await migrationStatus(database.db)).every((m) => m.executedAt === undefined)).toBe(true)
  })

  it('plans exactly the statements the migrations then run', async () => {
    const plans = await pendingMigrationSql(database.db, migrationNames)
    executed.length = 0
    await migrateToLatest(database.db)
    // Transactions are compared apart: Kysely's own (bookkeeping) are not in the plan.
    const control = /^(begin|commit|rollback)\b/i
    const writes = executed.filter((q) => !/^(select|with|show)\b/i.test(q) && !BOOKKEEPING.test(q) && !control.test(q))
    const planned = plans.flatMap((p) => p.statements).filter((q) => !control.test(q))
    // Parameters are inlined in the plan; compare the statements' shapes.
    const shape = (q: string) => q.replace(/'[^']*'|\$\d+|\?/g, '?')
    expect(writes.map(shape)).toEqual(planned.map(shape))
  })

  it('plans nothing for an up-to-date database and only the pending migration after a down', async () => {
    expect((await cli('migrate:latest', '--dry-run')).stdout).toContain('nothing to apply')
    await migrateDown(database.db, { to: '0002_artorizer_user_link' })
    const { stdout } = await cli('migrate:latest', '--dry-run', '--json')
    const result = JSON.parse(stdout) as { migrations: { name: string; statements: string[] }[] }
    expect(result.migrations.map((m) => m.name)).toEqual(['0003_indexes', '0004_exact_job_ids'])
    expect(result.migrations[0]!.statements.join('\n')).toContain('artwork_jobs_user_id_created_at_idx')
    await migrateToLatest(database.db)
  })

  it('reports a migration whose SQL changed after it was applied, and one the code does not have', async () => {
    expect((await migrationStatus(database.db)).every((m) => m.drift === undefined)).toBe(true)
    await database.db.updateTable(CHECKSUM_TABLE as never).set({ checksum: 'tampered' } as never).where('name' as never, '=', '0002_artorizer_user_link' as never).execute()
    await sql`insert into kysely_migration (name, timestamp) values ('0099_from_the_future', ${new Date().toISOString()})`.execute(database.db)
    const status = await migrationStatus(database.db)
    expect(status.find((m) => m.name === '0002_artorizer_user_link')?.drift).toBe('changed')
    expect(status.find((m) => m.name === '0099_from_the_future')?.drift).toBe('unknown')
    const { stdout } = await cli('migrate:status')
    expect(stdout).toContain('0002_artorizer_user_link')
    expect(stdout).toContain('CHANGED since')
    expect(stdout).toContain('0099_from_the_future')
    expect(stdout).toContain('UNKNOWN')
    const verify = await cli('db:verify', '--json')
    expect(verify.code).toBe(1)
    expect(verify.stdout).toContain('changed after it was applied')
    expect(verify.stdout).toContain('0099_from_the_future')
  })
})

describe('migrate:sql', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'artorizer-sql-'))
  })

  it('writes one file per migration, named in the seed order, for each dialect, without a database', async () => {
    for (const dialect of ['postgres', 'mysql']) {
      const out = join(dir, dialect)
      const { code } = await runCli(['migrate:sql', '--dialect', dialect, '--out', out], { DATABASE_URL: 'oracle://not-a-database' })
      expect(code).toBe(0)
      expect(readdirSync(out).sort()).toEqual(['001_better_auth.sql', '002_artorizer_user_link.sql', '003_indexes.sql', '004_exact_job_ids.sql'])
      const first = readFileSync(join(out, '001_better_auth.sql'), 'utf8')
      expect(first).toContain(dialect === 'mysql' ? 'create table if not exists `user`' : 'create table if not exists "user"')
      expect(first).not.toMatch(BOOKKEEPING)
    }
    expect(readFileSync(join(dir, 'postgres', '003_indexes.sql'), 'utf8')).toContain('create index concurrently if not exists "artwork_jobs_user_id_created_at_idx"')
    expect(readFileSync(join(dir, 'mysql', '002_artorizer_user_link.sql'), 'utf8')).toContain('algorithm=instant')
    // 0004: MySQL 8's byte-exact collation offline (MariaDB's is chosen when a server is there); nothing on PostgreSQL.
    expect(readFileSync(join(dir, 'mysql', '004_exact_job_ids.sql'), 'utf8')).toContain('modify column `job_id` varchar(255) character set utf8mb4 collate utf8mb4_0900_bin not null')
    expect(readFileSync(join(dir, 'postgres', '004_exact_job_ids.sql'), 'utf8')).not.toMatch(/alter table/)
  })

  it('prints to stdout without --out, and refuses an unknown dialect', async () => {
    const printed = await runCli(['migrate:sql', '--dialect', 'postgres'], {})
    expect(printed.code).toBe(0)
    expect(printed.stdout).toContain('-- 0002_artorizer_user_link')
    const bad = await runCli(['migrate:sql', '--dialect', 'oracle'], {})
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--dialect <d>' argument 'oracle' is invalid\. Use postgres or mysql\./)
  })

  it('is deterministic, so checksums are stable', async () => {
    expect(await migrationSql('mysql')).toEqual(await migrationSql('mysql'))
  })
})
