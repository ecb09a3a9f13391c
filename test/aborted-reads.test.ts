/**
 * A read the server aborted is read again, where the server aborts reads: on a Galera node a
 * replicated DDL statement (another node migrating) aborts the local statements holding a table
 * it needs, plain catalog reads included, with `ER_LOCK_DEADLOCK`. 2 of 300 concurrent
 * `migrate:latest` across three nodes exited 1 that way (the planning before the migration lock);
 * the first read of the ledger and Kysely's own preparation (its tables and lock row) run without
 * the lock too. Galera picks its moment, so the abort is injected here, on
 * the real database, by a plugin that fails the chosen query once with the server's error.
 * PostgreSQL and PGlite abort no plain read: there the same injection is not retried.
 */
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createMigrator, migrateToLatest, type AuthDatabase } from '../src/index.js'
import { migrationNames } from '../src/tools.js'
import { MIGRATION_LOCK_TABLE } from '../src/migrator/history.js'
import { createTestDatabase, describeEachDatabase, type TestDatabase } from './support/databases.js'

/** Fails the first query `matches` accepts, once, with an error carrying `code` (as the driver would). */
class AbortOnce implements KyselyPlugin {
  aborted = 0
  constructor(
    private readonly code: string,
    private readonly matches: (node: RootOperationNode, index: number) => boolean,
  ) {}
  #seen = 0
  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    const index = this.#seen++
    if (this.aborted === 0 && this.matches(node, index)) {
      this.aborted++
      throw Object.assign(new Error('Deadlock found when trying to get lock; try restarting transaction'), { code: this.code, errno: 1213 })
    }
    return node
  }
  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return result
  }
}

const readsCatalog = (node: RootOperationNode) => /information_schema|pg_catalog|pg_class|pg_index/i.test(JSON.stringify(node))
/** Kysely's Migrator reading its lock row: the last of its preparation before the migration lock. */
const readsLockRow = (node: RootOperationNode) => node.kind === 'SelectQueryNode' && JSON.stringify(node).includes(`"${MIGRATION_LOCK_TABLE}"`)

describeEachDatabase('a read the server aborts', (kind) => {
  let testDb: TestDatabase
  let database: AuthDatabase
  beforeEach(async () => {
    testDb = await createTestDatabase(kind)
    database = await testDb.connect()
  })
  afterEach(async () => {
    await database?.db.destroy()
    await testDb?.drop()
  })

  if (kind === 'mysql') {
    it('the first read of the ledger, aborted once (ER_LOCK_DEADLOCK), is read again: migrateToLatest applies every migration', async () => {
      const abort = new AbortOnce('ER_LOCK_DEADLOCK', (_node, index) => index === 0)
      const applied = await migrateToLatest(database.db.withPlugin(abort))
      expect(abort.aborted).toBe(1)
      expect(applied.map((step) => step.name)).toEqual([...migrationNames])
    })

    it("the planning's catalog read before the lock, aborted once, is read again: migrateToLatest applies every migration", async () => {
      const abort = new AbortOnce('ER_LOCK_DEADLOCK', readsCatalog)
      const applied = await migrateToLatest(database.db.withPlugin(abort))
      expect(abort.aborted).toBe(1)
      expect(applied.map((step) => step.name)).toEqual([...migrationNames])
    })

    it("Kysely's preparation before the lock (reading its lock row), aborted once, runs again: migrateToLatest applies every migration", async () => {
      const abort = new AbortOnce('ER_LOCK_DEADLOCK', readsLockRow)
      const applied = await migrateToLatest(database.db.withPlugin(abort))
      expect(abort.aborted).toBe(1)
      expect(applied.map((step) => step.name)).toEqual([...migrationNames])
    })

    it("the same through createMigrator, as kysely-ctl runs it (kysely.config.ts): Kysely's migrateToLatest applies every migration", async () => {
      const abort = new AbortOnce('ER_LOCK_DEADLOCK', readsLockRow)
      const { error, results } = await createMigrator(database.db.withPlugin(abort)).migrateToLatest()
      expect(abort.aborted).toBe(1)
      expect(error).toBeUndefined()
      expect(results?.map((result) => [result.migrationName, result.status])).toEqual(migrationNames.map((name) => [name, 'Success']))
    })
  } else {
    it("a deadlock in Kysely's preparation is not taken for an abort to retry: migrateToLatest fails, once", async () => {
      const abort = new AbortOnce('40P01', readsLockRow)
      await expect(migrateToLatest(database.db.withPlugin(abort))).rejects.toThrow(/Deadlock found/)
      expect(abort.aborted).toBe(1)
      expect((await migrateToLatest(database.db)).map((step) => step.name)).toEqual([...migrationNames])
    })

    it('a deadlock on a read is not taken for an abort to retry: migrateToLatest fails, once', async () => {
      const abort = new AbortOnce('40P01', readsCatalog)
      await expect(migrateToLatest(database.db.withPlugin(abort))).rejects.toThrow(/Deadlock found/)
      expect(abort.aborted).toBe(1)
      // Nothing was left half-done: the next run applies everything.
      expect((await migrateToLatest(database.db)).map((step) => step.name)).toEqual([...migrationNames])
    })
  }
})
