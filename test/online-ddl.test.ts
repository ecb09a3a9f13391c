/**
 * The statements the online recipes send, where their shape is the point: on PostgreSQL every
 * index of a table that existed before the migration is built `CONCURRENTLY`, outside a transaction, without parallel workers (which would
 * take every core of a small server from the application's writers; see `npm run bench`), and
 * the session setting is put back afterwards.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { connectDatabase, migrateToLatest, type AuthDatabase } from '../src/index.js'
import { createTestDatabase, describeEachDatabase, type TestDatabase } from './support/databases.js'

describeEachDatabase('online index builds', (kind) => {
  let testDb: TestDatabase
  let database: AuthDatabase
  const statements: string[] = []

  beforeAll(async () => {
    testDb = await createTestDatabase(kind)
    database = await connectDatabase({ url: testDb.url, log: (event) => void statements.push(event.query.sql.replace(/\s+/g, ' ').trim()) })
  })
  afterAll(async () => {
    await database?.db.destroy()
    await testDb?.drop()
  })

  it.skipIf(kind !== 'postgres')('builds every index of an existing table concurrently, without parallel workers, outside a transaction', async () => {
    await migrateToLatest(database.db)
    const builds = statements.flatMap((statement, i) => (/^create (unique )?index/i.test(statement) ? [i] : []))
    expect(builds.length).toBeGreaterThanOrEqual(7)
    // 0003 indexes tables that earlier migrations made; 0001's and 0002's indexes are on tables
    // they create themselves, empty and unseen, and built plainly.
    const onExistingTables = /account_providerId_accountId_idx|verification_identifier_idx|artwork_jobs_user_id_created_at_idx/
    for (const i of builds) {
      if (!onExistingTables.test(statements[i]!)) {
        expect(statements[i]).toMatch(/^create (unique )?index if not exists/)
        continue
      }
      expect(statements[i]).toMatch(/^create (unique )?index concurrently/)
      expect(statements[i - 1]).toBe('set max_parallel_maintenance_workers = 0')
      expect(statements[i + 1]).toBe('reset max_parallel_maintenance_workers')
    }
    expect(builds.filter((i) => onExistingTables.test(statements[i]!))).toHaveLength(3)
    // Only the short lock-bounded ALTERs run in transactions (each its own); no build does.
    let open = false
    for (const statement of statements) {
      if (/^(begin|start transaction)/i.test(statement)) open = true
      else if (/^(commit|rollback)/i.test(statement)) open = false
      else if (/^create (unique )?index/i.test(statement)) expect(open, statement).toBe(false)
    }
  })

  it.skipIf(kind !== 'postgres')('bounds each strong-lock ALTER with SET LOCAL in its own transaction, leaving no session setting', async () => {
    const alters = statements.flatMap((statement, i) => (/^alter table .* (add|drop) (column|constraint)/i.test(statement) && !/validate/.test(statement) ? [i] : []))
    expect(alters.length).toBeGreaterThanOrEqual(3)
    for (const i of alters) {
      expect(statements[i - 2]).toBe('begin')
      expect(statements[i - 1]).toMatch(/^set local lock_timeout = '\d+ms'$/)
      expect(statements[i + 1]).toBe('commit')
    }
    expect(statements.filter((s) => /^set lock_timeout/i.test(s))).toEqual([])
  })

  it.skipIf(kind !== 'mysql')('builds every index in place without locking writers', async () => {
    await migrateToLatest(database.db)
    const builds = statements.filter((s) => /add (unique )?index/i.test(s))
    expect(builds.length).toBeGreaterThanOrEqual(7)
    for (const build of builds) expect(build).toMatch(/algorithm=inplace, lock=none$/)
  })
})
