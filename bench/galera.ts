/**
 * The Galera part of `npm run bench`: linking a 200,000-row `artwork_jobs` to users on a
 * 3-node MariaDB Galera Cluster while two writers insert on the *other* nodes, node 2 one
 * autocommitted row at a time and node 3 in two-insert transactions, measured for each way a
 * Galera cluster offers to change a large table (each on its own identical copy, one after the
 * other in the same run):
 *
 * - `toi`: `migrateToLatest` as it is, every `ALTER` in total order isolation (Galera's default):
 *   each statement runs on every node at the same point of the replication stream, and no node
 *   commits anything ordered after it until it is done there.
 * - `rsu`: the `artwork_jobs` statements in rolling schema upgrade (`wsrep_OSU_method=RSU`), node
 *   after node: each node desyncs and pauses its provider while it runs the statement alone, so
 *   its own clients cannot commit meanwhile; then `migrateToLatest` does the rest.
 * - `local`: the `artwork_jobs` statements node-locally on each node in turn: a session with
 *   `wsrep_on = OFF` runs the module's own MariaDB recipes (`src/engines/mysql/online-ddl.ts`:
 *   `ALGORITHM=INSTANT`, `INPLACE, LOCK=NONE`, the foreign key with `foreign_key_checks=0`, each
 *   try waiting briefly for its metadata lock, retried), so nothing is replicated, no node is
 *   desynced or paused, and the other nodes are not touched; then `migrateToLatest` does the rest.
 *   A try that the node's appliers abort (a replicated write needing the table while the `ALTER`
 *   holds it exclusively: `ER_QUERY_INTERRUPTED`) is retried like one that gave way.
 * - `local-nowait`: the same with every try giving way at once (`lock_wait_timeout = 0`), the
 *   index builds' included, whose final exclusive lock is then retried by building again.
 * - `local-200ms`: `local` with every metadata-lock wait cut at 200 ms by a watchdog
 *   (`KILL QUERY` from a second session; MariaDB's `lock_wait_timeout` has whole seconds only).
 * - `copy`: a new table with the target schema (`CREATE TABLE … LIKE`, altered while empty), kept in
 *   step by triggers, filled in 2,000-row chunks of ordinary replicated rows, then swapped in with
 *   one `RENAME TABLE` (as pt-online-schema-change does); then `migrateToLatest` does the rest.
 *
 * The cluster is the bench's own (`test/support/galera-cluster.ts`, torn down at the end), or
 * `BENCH_GALERA_URLS` (three `mysql://` URLs without a database, comma-separated).
 */
import { randomBytes } from 'node:crypto'
import { sql, type Kysely, type LogEvent } from 'kysely'
import { connectDatabase, createMigrator, migrateToLatest } from '../src/index.js'
import { fillArtworkJobs } from './fill.js'
import { WORST_STALL_TARGET_MS } from './targets.js'
import { startWriter, statsBetween, type InsertSample, type WriterStats } from './writer.js'
import type { ErrorRules } from '../src/engines/engine.js'
import { errorCode } from '../src/engines/lock-wait.js'
import { mysqlCatalog } from '../src/engines/mysql/catalog.js'
import { mysqlErrors } from '../src/engines/mysql/errors.js'
import { mysqlDdl } from '../src/engines/mysql/online-ddl.js'
import { executingRunner } from '../src/engines/ddl-runner.js'
import { galeraUnavailableReason, startGaleraCluster } from '../test/support/galera-cluster.js'

export type GaleraWay = 'toi' | 'rsu' | 'local' | 'local-nowait' | 'local-200ms' | 'copy'
export const GALERA_WAYS: readonly GaleraWay[] = ['toi', 'rsu', 'local', 'local-nowait', 'local-200ms', 'copy']
/**
 * The ways measured without `--galera-ways`: the node-local variants that end at their lock-retry
 * budget (3 minutes a node) only when asked for.
 */
export const DEFAULT_GALERA_WAYS: readonly GaleraWay[] = ['toi', 'rsu', 'local', 'copy']
export const GALERA_WAY_LABELS: Record<GaleraWay, string> = {
  toi: 'migrateToLatest, total order isolation (TOI)',
  rsu: 'rolling schema upgrade (RSU), node by node',
  local: 'node-local online DDL (wsrep_on=OFF), node by node',
  'local-nowait': 'node-local, every try NOWAIT (index builds too)',
  'local-200ms': 'node-local, metadata-lock waits cut at 200 ms',
  copy: 'new table + chunked copy + RENAME',
}

export interface GaleraWriterResult {
  readonly during: WriterStats
  readonly idle: WriterStats
  /** Error codes of the failed inserts during the migration, with their count. */
  readonly errors: Record<string, number>
  /** The statement that overlapped the worst insert the most. */
  readonly worstDuring: string | undefined
  /** Inserts during the migration slower than the target (250 ms), and in the idle window. */
  readonly slow: { readonly during: number; readonly idle: number }
}

export interface GaleraRun {
  readonly way: GaleraWay
  readonly migrationMs: number
  /** Node 2, one autocommitted insert at a time. */
  readonly single: GaleraWriterResult
  /** Node 3, `BEGIN; INSERT; INSERT; COMMIT`. */
  readonly transaction: GaleraWriterResult
  /** Whether every node ended with the same `artwork_jobs`. */
  readonly converged: boolean
  /** RSU and local: statement tries that gave way after waiting for their metadata lock. */
  readonly ddlGaveWay: number
  /** local: statement tries aborted by the node's own appliers (a replicated write needed the table). */
  readonly ddlAborted: number
  /** local-200ms: tries the watchdog cut after 200 ms of metadata-lock wait. */
  readonly ddlCut: number
  /** local: how long each node's step took, node 1 first; the node whose step failed and those after it are missing. */
  readonly nodeStepMs: readonly number[]
  /** `wsrep_cluster_size` seen from each node at the end (3 each when no node left the cluster). */
  readonly clusterSizes: readonly number[]
  /** Why the way did not finish, if it did not. */
  readonly failure: string | undefined
}

export interface GaleraResult {
  readonly rows: number
  readonly runs: GaleraRun[]
}

const IDLE_MS = 4_000
const COPY_CHUNK = 2_000

export function galeraBenchUnavailable(): string | undefined {
  return process.env.BENCH_GALERA_URLS ? undefined : galeraUnavailableReason()
}

export async function measureGalera(rows: number, log: (line: string) => void, ways: readonly GaleraWay[] = GALERA_WAYS): Promise<GaleraResult> {
  const fromEnv = process.env.BENCH_GALERA_URLS?.split(',').map((u) => u.trim().replace(/\/+$/, ''))
  log('  starting a 3-node Galera cluster...')
  const cluster = fromEnv ? undefined : await startGaleraCluster(3)
  const nodes = fromEnv ?? cluster!.nodeUrls
  const runs: GaleraRun[] = []
  try {
    for (const way of ways) {
      const name = `bench_galera_${Date.now().toString(36)}_${randomBytes(2).toString('hex')}_${way}`
      await onNode(`${nodes[0]}/mysql`, (db) => sql`create database ${sql.id(name)}`.execute(db))
      try {
        log(`  ${way}: filling ${rows.toLocaleString('en')} rows on node 1...`)
        await onNode(`${nodes[0]}/${name}`, async (db) => {
          await fillArtworkJobs(db, 'mysql', rows)
          const applied = await createMigrator(db).migrateTo('0001_better_auth')
          if (applied.error) throw applied.error
        })
        await settle(nodes)
        log(`  ${way}: migrating on node 1 while node 2 and node 3 write...`)
        runs.push(await underLoad(way, nodes, name))
      } finally {
        await onNode(`${nodes[0]}/mysql`, (db) => sql`drop database if exists ${sql.id(name)}`.execute(db))
      }
    }
  } finally {
    await cluster?.stop()
  }
  return { rows, runs }
}

async function underLoad(way: GaleraWay, nodes: readonly string[], name: string): Promise<GaleraRun> {
  const statements: { startedAt: number; endedAt: number; sql: string }[] = []
  const log = (event: LogEvent) => {
    const endedAt = performance.now()
    statements.push({ startedAt: endedAt - event.queryDurationMillis, endedAt, sql: event.query.sql })
  }
  const { db } = await connectDatabase({ url: `${nodes[0]}/${name}`, log })
  await sql`select 1`.execute(db)
  const single = await startWriter('mysql', `${nodes[1]}/${name}`, `${way}-single`, 'single')
  const transaction = await startWriter('mysql', `${nodes[2]}/${name}`, `${way}-trx`, 'transaction')
  try {
    const idleFrom = performance.now()
    await sleep(IDLE_MS)
    const from = performance.now()
    let ddlGaveWay = 0
    let failure: string | undefined
    const local: LocalTries = { gaveWay: 0, aborted: 0, killed: 0, nodeStepMs: [] }
    try {
      if (way === 'rsu') ddlGaveWay = await rollingArtworkJobsChange(nodes, name, log)
      if (way === 'local' || way === 'local-nowait') await nodeLocalArtworkJobsChange(nodes, name, log, local, way === 'local-nowait')
      if (way === 'local-200ms') await nodeLocalArtworkJobsChange(nodes, name, log, local, false, 200)
      if (way === 'copy') await copyArtworkJobsChange(db)
      await migrateToLatest(db)
    } catch (error) {
      failure = (error as Error).message.split('\n')[0]
    }
    const to = performance.now()
    await sleep(300)
    const singleSamples = await single.stop()
    const transactionSamples = await transaction.stop()
    const result = (samples: InsertSample[]): GaleraWriterResult => {
      const during = samples.filter((s) => s.startedAt <= to && s.startedAt + s.ms >= from)
      const worst = [...during].sort((a, b) => b.ms - a.ms)[0]
      const errors: Record<string, number> = {}
      for (const s of during) if (s.error) errors[s.error] = (errors[s.error] ?? 0) + 1
      return {
        during: statsBetween(samples, from, to),
        idle: statsBetween(samples, idleFrom, from),
        errors,
        worstDuring: worst ? mostOverlapping(statements, worst.startedAt, worst.startedAt + worst.ms) : undefined,
        slow: {
          during: during.filter((s) => s.ms > WORST_STALL_TARGET_MS.mysql).length,
          idle: samples.filter((s) => s.startedAt <= from && s.startedAt + s.ms >= idleFrom && s.ms > WORST_STALL_TARGET_MS.mysql).length,
        },
      }
    }
    return {
      way,
      migrationMs: to - from,
      single: result(singleSamples),
      transaction: result(transactionSamples),
      converged: await converged(nodes, name),
      ddlGaveWay: ddlGaveWay + local.gaveWay,
      ddlAborted: local.aborted,
      ddlCut: local.killed,
      nodeStepMs: local.nodeStepMs,
      clusterSizes: await clusterSizes(nodes),
      failure,
    }
  } catch (error) {
    await single.stop()
    await transaction.stop()
    throw error
  } finally {
    await db.destroy()
  }
}

/**
 * The `artwork_jobs` statements of 0002 and 0003, in RSU on each node in turn, each waiting at
 * most 2 s for its metadata lock and tried 5 times (as the module's recipes do). Under RSU the
 * node's provider is paused while the statement runs, so a writer on that node that already
 * holds the table (an insert in flight) cannot commit, and the statement waits for it: the two
 * wait for each other until the lock wait gives up. Resolves with how many tries gave up.
 */
async function rollingArtworkJobsChange(nodes: readonly string[], name: string, log: (event: LogEvent) => void): Promise<number> {
  let gaveWay = 0
  for (const node of nodes) {
    const { db } = await connectDatabase({ url: `${node}/${name}`, log })
    try {
      await db.connection().execute(async (conn) => {
        const run = async (statement: ReturnType<typeof sql>) => {
          for (let attempt = 1; ; attempt++) {
            try {
              return await statement.execute(conn)
            } catch (error) {
              if ((error as { code?: string }).code !== 'ER_LOCK_WAIT_TIMEOUT' || attempt >= 5) throw error
              gaveWay++
            }
          }
        }
        await sql`set session wsrep_OSU_method = 'RSU'`.execute(conn)
        await sql`set session lock_wait_timeout = 2`.execute(conn)
        await sql`set session foreign_key_checks = 0`.execute(conn)
        await run(sql`alter table artwork_jobs add column user_id varchar(255) character set utf8mb4 collate utf8mb4_bin null, algorithm=instant`)
        await run(sql`alter table artwork_jobs add index artwork_jobs_user_id_idx (user_id), algorithm=inplace, lock=none`)
        await run(sql`alter table artwork_jobs add constraint artwork_jobs_user_id_fk foreign key (user_id) references ${sql.table('user')} (id) on delete cascade, algorithm=inplace`)
        await run(sql`alter table artwork_jobs add index artwork_jobs_user_id_created_at_idx (user_id, created_at), algorithm=inplace, lock=none`)
        await sql`set session foreign_key_checks = default`.execute(conn)
        await sql`set session lock_wait_timeout = default`.execute(conn)
        await sql`set session wsrep_OSU_method = default`.execute(conn)
      })
    } finally {
      await db.destroy()
    }
  }
  return gaveWay
}

interface LocalTries {
  gaveWay: number
  aborted: number
  /** local-200ms: tries the watchdog cut (they count among `aborted` too). */
  killed: number
  nodeStepMs: number[]
}

/**
 * The `artwork_jobs` statements of 0002 and 0003, node-locally on each node in turn: the
 * module's MariaDB recipes, on a session with `wsrep_on = OFF`, each statement only if its node
 * lacks it (so a rerun finishes what a crash left). A try the node's appliers abort is retried
 * as one that gave way (the recipe's pauses and budget); anything else fails the way.
 */
async function nodeLocalArtworkJobsChange(
  nodes: readonly string[],
  name: string,
  log: (event: LogEvent) => void,
  tries: LocalTries,
  nowait = false,
  waitBoundMs?: number,
): Promise<void> {
  const rules: ErrorRules = {
    ...mysqlErrors,
    isLockTimeout(error) {
      if (mysqlErrors.isLockTimeout(error)) return ++tries.gaveWay > 0
      const code = errorCode(error)
      if (code === 'ER_QUERY_INTERRUPTED' || code === 'ER_LOCK_DEADLOCK') return ++tries.aborted > 0
      return false
    },
  }
  const ddl = mysqlDdl(rules)
  const table = 'artwork_jobs'
  for (const node of nodes) {
    const startedAt = performance.now()
    const { db } = await connectDatabase({ url: `${node}/${name}`, log })
    const watchdog = waitBoundMs === undefined ? undefined : await connectDatabase({ url: `${node}/${name}` })
    let watching: ReturnType<typeof setInterval> | undefined
    try {
      await db.connection().execute(async (conn) => {
        if (watchdog) {
          const { rows: me } = await sql<{ id: number }>`select connection_id() as id`.execute(conn)
          const id = Number(me[0]!.id)
          let busy = false
          // The processlist's time counts from the statement's start: the wait is timed here.
          let waitingSince: number | undefined
          watching = setInterval(() => {
            if (busy) return
            busy = true
            sql<{ state: string | null }>`select state from information_schema.processlist where id = ${id}`
              .execute(watchdog.db)
              .then(async ({ rows: found }) => {
                if (found[0]?.state !== 'Waiting for table metadata lock') return void (waitingSince = undefined)
                waitingSince ??= performance.now()
                if (performance.now() - waitingSince < waitBoundMs!) return
                waitingSince = undefined
                tries.killed++
                await sql`kill query ${sql.lit(id)}`.execute(watchdog.db)
              })
              .catch(() => {})
              .finally(() => (busy = false))
          }, 20)
        }
        const plain = executingRunner(conn)
        // NOWAIT: every try's metadata-lock wait is 0 s, the index builds' (1 s in the recipes) too.
        const r = nowait
          ? { ...plain, run: (statement: Parameters<typeof plain.run>[0], kind?: 'guard') => plain.run(rewriteWait(statement, conn), kind) }
          : plain
        const { rows } = await sql<{ type: string; charset: string | null; collation: string | null }>`select column_type as type,
          character_set_name as charset, collation_name as collation from information_schema.columns
          where table_schema = database() and table_name = 'user' and column_name = 'id'`.execute(conn)
        const id = rows[0]!
        const type = `${id.type}${id.charset ? ` character set ${id.charset}` : ''}${id.collation ? ` collate ${id.collation}` : ''}`
        const indexes = async () => new Set((await mysqlCatalog.listIndexes(conn, table)).map((i) => i.name))
        await sql`set session wsrep_on = OFF`.execute(conn)
        try {
          if (!(await mysqlCatalog.listColumns(conn, table)).some((c) => c.name === 'user_id')) {
            await ddl.addNullableColumn(r, { table, column: 'user_id', type: sql.raw(type) })
          }
          if (!(await indexes()).has('artwork_jobs_user_id_idx')) await ddl.createIndex(r, { table, name: 'artwork_jobs_user_id_idx', columns: ['user_id'] })
          if (!(await mysqlCatalog.listForeignKeys(conn, table)).some((fk) => fk.name === 'artwork_jobs_user_id_fk')) {
            await ddl.addForeignKey(r, { table, name: 'artwork_jobs_user_id_fk', column: 'user_id', referencedTable: 'user', referencedColumn: 'id' })
          }
          if (!(await indexes()).has('artwork_jobs_user_id_created_at_idx')) {
            await ddl.createIndex(r, { table, name: 'artwork_jobs_user_id_created_at_idx', columns: ['user_id', 'created_at'] })
          }
        } finally {
          await sql`set session wsrep_on = ON`.execute(conn)
        }
      })
    } finally {
      if (watching) clearInterval(watching)
      await watchdog?.db.destroy()
      await db.destroy()
    }
    tries.nodeStepMs.push(performance.now() - startedAt)
  }
}

/** `set session lock_wait_timeout = 1` becomes `= 0`; every other statement is left alone. */
function rewriteWait(statement: Parameters<ReturnType<typeof executingRunner>['run']>[0], conn: Kysely<any>) {
  const compiled = 'sql' in statement && 'parameters' in statement && !('isRawBuilder' in statement) ? statement : (statement as ReturnType<typeof sql>).compile(conn)
  return /^set session lock_wait_timeout = 1$/.test(compiled.sql) ? sql`set session lock_wait_timeout = 0` : statement
}

async function clusterSizes(nodes: readonly string[]): Promise<number[]> {
  const sizes: number[] = []
  for (const node of nodes) {
    try {
      await onNode(`${node}/mysql`, async (db) => {
        const { rows } = await sql<{ Value: string }>`show status like 'wsrep_cluster_size'`.execute(db)
        sizes.push(Number(rows[0]?.Value ?? 0))
      })
    } catch {
      sizes.push(0)
    }
  }
  return sizes
}

/** pt-online-schema-change's way: only short DDL in TOI; the rows move as ordinary writes. */
async function copyArtworkJobsChange(db: Kysely<any>): Promise<void> {
  await db.connection().execute(async (conn) => {
    const columns = (await sql<{ name: string }>`select column_name as name from information_schema.columns
      where table_schema = database() and table_name = 'artwork_jobs' order by ordinal_position`.execute(conn)).rows.map((r) => r.name)
    const list = sql.join(columns.map((c) => sql.ref(c)))
    const fromNew = sql.join(columns.map((c) => sql.ref(`NEW.${c}`)))
    await sql`create table artwork_jobs_new like artwork_jobs`.execute(conn)
    await sql`set session foreign_key_checks = 0`.execute(conn)
    await sql`alter table artwork_jobs_new
      add column user_id varchar(255) character set utf8mb4 collate utf8mb4_bin null,
      add index artwork_jobs_user_id_idx (user_id),
      add index artwork_jobs_user_id_created_at_idx (user_id, created_at),
      add constraint artwork_jobs_user_id_fk foreign key (user_id) references ${sql.table('user')} (id) on delete cascade`.execute(conn)
    await sql`set session foreign_key_checks = default`.execute(conn)
    await sql`create trigger artwork_jobs_copy_ins after insert on artwork_jobs for each row replace into artwork_jobs_new (${list}) values (${fromNew})`.execute(conn)
    await sql`create trigger artwork_jobs_copy_upd after update on artwork_jobs for each row replace into artwork_jobs_new (${list}) values (${fromNew})`.execute(conn)
    await sql`create trigger artwork_jobs_copy_del after delete on artwork_jobs for each row delete from artwork_jobs_new where id = OLD.id`.execute(conn)
    const { rows } = await sql<{ top: number | string | null }>`select max(id) as top from artwork_jobs`.execute(conn)
    const top = Number(rows[0]?.top ?? 0)
    for (let from = 0; from < top; from += COPY_CHUNK) {
      await sql`insert ignore into artwork_jobs_new (${list}) select ${list} from artwork_jobs where id > ${from} and id <= ${from + COPY_CHUNK}`.execute(conn)
    }
    await sql`rename table artwork_jobs to artwork_jobs_old, artwork_jobs_new to artwork_jobs`.execute(conn)
    await sql`drop table artwork_jobs_old`.execute(conn)
  })
}

/** Waits until no node has replicated writes left to apply (the fill's), so the idle window is idle. */
async function settle(nodes: readonly string[]): Promise<void> {
  for (let i = 0; i < 100; i++) {
    let queued = 0
    for (const node of nodes) {
      await onNode(`${node}/mysql`, async (db) => {
        const { rows } = await sql<{ Value: string }>`show status like 'wsrep_local_recv_queue'`.execute(db)
        queued += Number(rows[0]?.Value ?? 0)
      })
    }
    if (queued === 0) return
    await sleep(200)
  }
}

async function converged(nodes: readonly string[], name: string): Promise<boolean> {
  const shapes = new Set<string>()
  for (const node of nodes) {
    await onNode(`${node}/${name}`, async (db) => {
      await sql`set session wsrep_sync_wait = 1`.execute(db)
      const { rows } = await sql`show create table artwork_jobs`.execute(db)
      const count = await sql`select count(*) as n from artwork_jobs`.execute(db)
      shapes.add(JSON.stringify([String(Object.values(rows[0] as object)[1]).replace(/AUTO_INCREMENT=\d+ /, ''), count.rows]))
    })
  }
  return shapes.size === 1
}

async function onNode(url: string, work: (db: Kysely<any>) => Promise<unknown>): Promise<void> {
  const { db } = await connectDatabase({ url })
  try {
    await work(db)
  } finally {
    await db.destroy()
  }
}

function mostOverlapping(statements: readonly { startedAt: number; endedAt: number; sql: string }[], from: number, to: number): string | undefined {
  let best: { overlap: number; sql: string } | undefined
  for (const statement of statements) {
    const overlap = Math.min(to, statement.endedAt) - Math.max(from, statement.startedAt)
    if (overlap > 0 && (!best || overlap > best.overlap)) best = { overlap, sql: statement.sql }
  }
  return best?.sql.replace(/\s+/g, ' ').slice(0, 100)
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
