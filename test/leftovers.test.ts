/**
 * The sweep at the start of a run drops the test databases of processes that are gone and
 * keeps those of live ones (other test runs share the servers).
 */
import { spawnSync } from 'node:child_process'
import { sql } from 'kysely'
import { expect, inject, it } from 'vitest'
import { connectDatabase } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { currentProcess, dropLeftovers, testDatabaseName } from './support/leftovers.js'

describeEachDatabase('leftover test databases', (kind) => {
  if (kind === 'pglite') return void it.skip('PGlite folders are dropped by age only', () => {})

  it('drops the databases of a test process that is gone, and only those', async () => {
    const server = kind === 'postgres' ? inject('postgresUrl')! : inject('mysqlUrl')!
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
    const deadPid = Number(gone.stdout)
    expect(deadPid).toBeGreaterThan(0)
    const left = testDatabaseName({ ...currentProcess(), pid: deadPid })
    const live = testDatabaseName()
    const admin = await connectDatabase({ url: server })
    const exists = async (name: string) =>
      (kind === 'postgres'
        ? await sql`select 1 from pg_database where datname = ${name}`.execute(admin.db)
        : await sql`select 1 from information_schema.schemata where schema_name = ${name}`.execute(admin.db)
      ).rows.length > 0
    try {
      for (const name of [left, live]) await sql`create database ${sql.id(name)}`.execute(admin.db)
      const dropped = await dropLeftovers(kind === 'postgres' ? { postgres: server, mysql: null } : { postgres: null, mysql: server })
      expect(dropped).toContain(`${kind}:${left}`)
      expect(dropped).not.toContain(`${kind}:${live}`)
      expect(await exists(left)).toBe(false)
      expect(await exists(live)).toBe(true)
    } finally {
      for (const name of [left, live]) await sql`drop database if exists ${sql.id(name)}`.execute(admin.db)
      await admin.db.destroy()
    }
  })
})
