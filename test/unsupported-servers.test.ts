/**
 * The refusal of CockroachDB, YugabyteDB, TiDB and Vitess is wired into the commands that
 * migrate. None of those servers runs here, so a PostgreSQL database plays one: a `version()` of
 * its own, found before `pg_catalog`'s through the database's `search_path`, answers as
 * CockroachDB does. (The detection itself is unit-tested on real version strings in
 * `unit/unsupported-servers.test.ts`.)
 */
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { migrateDown, migrateToLatest } from '../src/index.js'
import { UnsupportedServerError } from '../src/engines/unsupported-servers.js'
import { listTables } from '../src/ddl/introspect.js'
import { createTestDatabase, unavailableReason } from './support/databases.js'
import { runCli } from './support/bundled-cli.js'

const COCKROACH = 'CockroachDB CCL v23.1.11 (x86_64-pc-linux-gnu, built 2023/09/27 01:53:43, go1.19.10)'
const reason = unavailableReason('postgres')

describe.skipIf(reason !== undefined && !process.env.CI)(`a server that says it is CockroachDB${reason ? ` [skipped: ${reason}]` : ''}`, () => {
  it('is refused with one line by migrate:latest and migrate:down, before anything is created', async () => {
    const testDb = await createTestDatabase('postgres')
    try {
      const setup = await testDb.connect()
      try {
        await sql`create function public.version() returns text language sql as ${sql.lit(`select '${COCKROACH}'::text`)}`.execute(setup.db)
        await sql`alter database ${sql.id(new URL(testDb.url).pathname.slice(1))} set search_path = public, pg_catalog`.execute(setup.db)
      } finally {
        await setup.db.destroy()
      }
      const { db } = await testDb.connect()
      try {
        const { rows } = await sql<{ version: string }>`select version() as version`.execute(db)
        expect(rows[0]!.version).toBe(COCKROACH)
        await expect(migrateToLatest(db)).rejects.toBeInstanceOf(UnsupportedServerError)
        await expect(migrateDown(db, { all: true }, { force: true })).rejects.toBeInstanceOf(UnsupportedServerError)
        expect(await listTables(db)).toEqual([])
      } finally {
        await db.destroy()
      }
      const result = await runCli(['migrate:latest'], { DATABASE_URL: testDb.url })
      expect(result.code).toBe(1)
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
      expect(result.stderr).toMatch(/CockroachDB is not supported for migrations: its advisory locks .*docs\/other-engines\.md\)/)
    } finally {
      await testDb.drop()
    }
  })
})
