/**
 * MariaDB Galera Cluster, three nodes started by the test itself (`support/galera-cluster.ts`):
 * router-backend replicas booting on different nodes at once behave as on one server (all exit
 * 0, each migration once, the same schema on every node), because the migration lock is a lease
 * row that Galera certifies cluster-wide (`src/engines/mysql/galera.ts`); `GET_LOCK`, which it
 * replaces there, is node-local. Every command passes on every node.
 */
import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectDatabase, migrateToLatest } from '../src/index.js'
import { migrationNames, MIGRATION_TABLE } from '../src/tools.js'
import { GALERA_LOCK_TABLE, RENEW_EVERY_MS, isGaleraNode } from '../src/engines/mysql/galera.js'
import { runCli, type ProcessResult } from './support/bundled-cli.js'
import { galeraUnavailableReason, startGaleraCluster, type GaleraCluster } from './support/galera-cluster.js'
import { snapshotSchema } from './support/schema-snapshot.js'
import { createTestDatabase, unavailableReason } from './support/databases.js'

/** Concurrent `migrate:latest` processes per trial: two on each of the three nodes. */
const PROCESSES = 6
const TRIALS = Number(process.env.GALERA_TRIALS ?? 5)

const reason = galeraUnavailableReason()
const suite = reason ? describe.skip : describe
const title = reason ? `Galera cluster [skipped: ${reason}]` : 'Galera cluster [3 nodes]'

suite(title, { timeout: 300_000 }, () => {
  let cluster: GaleraCluster
  let admin: Kysely<any>
  let counter = 0

  beforeAll(async () => {
    cluster = await startGaleraCluster(3)
    admin = (await connectDatabase({ url: cluster.urlFor(0, 'mysql') })).db
  }, 240_000)
  afterAll(async () => {
    await admin?.destroy()
    await cluster?.stop()
  }, 60_000)

  async function freshDatabase(): Promise<string> {
    const name = `g_${Date.now().toString(36)}_${counter++}`
    await sql`create database ${sql.id(name)}`.execute(admin)
    return name
  }

  async function onEachNode<T>(database: string, work: (db: Kysely<any>) => Promise<T>): Promise<T[]> {
    const out: T[] = []
    for (const url of cluster.nodeUrls) {
      const { db } = await connectDatabase({ url: `${url}/${database}` })
      try {
        out.push(await work(db))
      } finally {
        await db.destroy()
      }
    }
    return out
  }

  it('each node says it is a Galera node', async () => {
    const database = await freshDatabase()
    expect(await onEachNode(database, isGaleraNode)).toEqual([true, true, true])
  })

  it(`${PROCESSES} migrate:latest across the 3 nodes at once, ${TRIALS} trials: all exit 0, each migration once, one schema on every node`, async () => {
    const referenceDb = await freshDatabase()
    const [reference] = await onEachNode(referenceDb, async (db) => {
      await migrateToLatest(db)
      return snapshotSchema(db)
    })
    const failures: string[] = []
    let exited0 = 0
    for (let trial = 0; trial < TRIALS; trial++) {
      const database = await freshDatabase()
      const results: ProcessResult[] = await Promise.all(
        Array.from({ length: PROCESSES }, (_, i) => runCli(['migrate:latest'], { DATABASE_URL: cluster.urlFor(i % 3, database) })),
      )
      for (const result of results) {
        if (result.code === 0) exited0++
        else failures.push(result.stderr.trim())
      }
      const applied = results.flatMap((r) => [...r.stdout.matchAll(/✅ Applied (\S+)/g)].map((m) => m[1]))
      expect(applied.sort(), `trial ${trial + 1}`).toEqual([...migrationNames].sort())
      const perNode = await onEachNode(database, async (db) => ({
        migrations: (await db.selectFrom(MIGRATION_TABLE).select('name').orderBy('name').execute()).map((r) => r.name),
        schema: await snapshotSchema(db),
      }))
      for (const node of perNode) {
        expect(node.migrations).toEqual(migrationNames)
        expect(node.schema).toEqual(reference)
      }
    }
    expect(failures).toEqual([])
    expect(exited0).toBe(PROCESSES * TRIALS)
  })

  it('migrate:status, db:verify, migrate:down --all --force and migrate:latest pass on every node', async () => {
    const database = await freshDatabase()
    for (let node = 0; node < 3; node++) {
      const env = { DATABASE_URL: cluster.urlFor(node, database) }
      for (const args of [['migrate:latest'], ['migrate:status'], ['db:verify'], ['migrate:down', '--all', '--force'], ['migrate:status'], ['migrate:latest'], ['db:verify']]) {
        const result = await runCli(args, env)
        expect(result.code, `node ${node + 1}: ${args.join(' ')}: ${result.stdout}${result.stderr}`).toBe(0)
      }
    }
  })

  it('a lock held on node 1 holds on nodes 2 and 3 (GET_LOCK would grant it there)', async () => {
    const database = await freshDatabase()
    const holder = (await connectDatabase({ url: cluster.urlFor(0, database) })).db
    try {
      await holder.connection().execute(async (conn) => {
        const adapter = conn.getExecutor().adapter
        const lockOptions = { lockTable: 'kysely_migration_lock', lockRowId: 'migration_lock' }
        await adapter.acquireMigrationLock(conn, lockOptions)
        try {
          for (const node of [1, 2]) {
            const result = await runCli(['migrate:latest'], { DATABASE_URL: cluster.urlFor(node, database), MIGRATION_LOCK_TIMEOUT_MS: '1500' })
            expect(result.code, result.stdout).toBe(1)
            expect(result.stderr.trim().split('\n')).toHaveLength(1)
            expect(result.stderr).toMatch(/another process held the migration lock for more than 1500 ms/)
          }
        } finally {
          await adapter.releaseMigrationLock(conn, lockOptions)
        }
      })
      const result = await runCli(['migrate:latest'], { DATABASE_URL: cluster.urlFor(2, database) })
      expect(result.code, result.stderr).toBe(0)
    } finally {
      await holder.destroy()
    }
  })

  it('the holder renews its lease while it holds it, and frees it on release', async () => {
    const database = await freshDatabase()
    const { db } = await connectDatabase({ url: cluster.urlFor(0, database) })
    const expiry = async () =>
      (await sql<{ holder: string | null; expires_at: string | number }>`select holder, expires_at from ${sql.table(GALERA_LOCK_TABLE)}`.execute(db)).rows[0]!
    try {
      await db.connection().execute(async (conn) => {
        const adapter = conn.getExecutor().adapter
        const lockOptions = { lockTable: 'kysely_migration_lock', lockRowId: 'migration_lock' }
        await adapter.acquireMigrationLock(conn, lockOptions)
        const first = await expiry()
        expect(first.holder).toMatch(/^\d+-[0-9a-f]{16}$/)
        await new Promise((resolve) => setTimeout(resolve, RENEW_EVERY_MS + 1500))
        const later = await expiry()
        expect(later.holder).toBe(first.holder)
        expect(Number(later.expires_at)).toBeGreaterThan(Number(first.expires_at))
        await adapter.releaseMigrationLock(conn, lockOptions)
      })
      expect(await expiry()).toEqual({ holder: null, expires_at: expect.anything() })
      expect(Number((await expiry()).expires_at)).toBe(0)
    } finally {
      await db.destroy()
    }
  })

  it("a crashed holder's lease runs out, and the next run takes it", async () => {
    const database = await freshDatabase()
    const { db } = await connectDatabase({ url: cluster.urlFor(0, database) })
    try {
      // What a holder that died leaves: the row names it, and nobody renews it. Its lease is
      // made to end in 8 s rather than the minute a lease lasts: long enough for the first run
      // to start and be refused on a loaded machine (at 2 s, a CI run under load started after
      // it had ended), and the second run waits for its end, read from the row.
      await sql`create table ${sql.table(GALERA_LOCK_TABLE)} (id varchar(64) not null primary key, holder varchar(64) null, expires_at bigint not null default 0) engine=InnoDB`.execute(db)
      await sql`insert into ${sql.table(GALERA_LOCK_TABLE)} values ('migrations', 'dead-holder', cast(unix_timestamp(now(3)) * 1000 as signed) + 8000)`.execute(db)
      const blocked = await runCli(['migrate:latest'], { DATABASE_URL: cluster.urlFor(1, database), MIGRATION_LOCK_TIMEOUT_MS: '500' })
      expect(blocked.code).toBe(1)
      const { rows: left } = await sql<{ ms: string | number }>`select expires_at - cast(unix_timestamp(now(3)) * 1000 as signed) as ms from ${sql.table(GALERA_LOCK_TABLE)}`.execute(db)
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(left[0]!.ms)) + 200))
      const result = await runCli(['migrate:latest'], { DATABASE_URL: cluster.urlFor(1, database), MIGRATION_LOCK_TIMEOUT_MS: '10000' })
      expect(result.code, result.stderr).toBe(0)
      const { rows } = await sql<{ holder: string | null }>`select holder from ${sql.table(GALERA_LOCK_TABLE)}`.execute(db)
      expect(rows).toEqual([{ holder: null }])
    } finally {
      await db.destroy()
    }
  })
})

describe.skipIf(unavailableReason('mysql') !== undefined)('a lone MariaDB/MySQL server is not taken for a Galera node', () => {
  it('isGaleraNode is false, and the lock stays GET_LOCK (no lease table)', async () => {
    const testDb = await createTestDatabase('mysql')
    const { db } = await testDb.connect()
    try {
      expect(await isGaleraNode(db)).toBe(false)
      await migrateToLatest(db)
      const { rows } = await sql`show tables like ${GALERA_LOCK_TABLE}`.execute(db)
      expect(rows).toEqual([])
    } finally {
      await db.destroy()
      await testDb.drop()
    }
  })
})
