/**
 * A migrating process for the concurrency and crash tests, run as its own Node process
 * (bundled by `bundled-cli.ts`). `DATABASE_URL` says where.
 *
 *   migrate                        migrateToLatest, printing "START <n> <sql>" as each statement
 *                                  starts and "DONE <n> <ms>" when it ends, then "APPLIED <name>"
 *   migrate --kill-at <n>          the same, but SIGKILLs itself as statement n starts
 *   migrate --kill-on <regex> --kill-delay <ms>
 *                                  SIGKILLs itself <ms> after a statement matching <regex> starts
 *   migrate --pause-on <regex> --resume-file <path>
 *                                  before sending the first statement matching <regex>, prints
 *                                  "PAUSED <n>" and blocks until <path> exists (the test sets the
 *                                  server up, then lets it go)
 *   hold-lock                      takes the migration lock, prints "LOCKED", and waits to be killed
 *
 * The statements are counted by a Kysely plugin added to this process's own Kysely instance:
 * the product code has no test hook. Every statement the migrations run goes through it,
 * because Kysely's Migrator hands the migrations the instance it was given.
 */
import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely'
import { connectDatabase, migrateToLatest } from '../../src/index.js'

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    'kill-at': { type: 'string' },
    'kill-on': { type: 'string' },
    'kill-delay': { type: 'string' },
    'pause-on': { type: 'string' },
    'resume-file': { type: 'string' },
  },
})
const mode = positionals[0]
const database = await connectDatabase()
const out = (line: string) => process.stdout.write(`${line}\n`)
const die = () => process.kill(process.pid, 'SIGKILL')

if (mode === 'hold-lock') {
  await database.db.connection().execute(async (conn) => {
    await conn.getExecutor().adapter.acquireMigrationLock(conn, { lockTable: 'kysely_migration_lock', lockRowId: 'migration_lock', lockTableSchema: undefined })
    out('LOCKED')
    await new Promise(() => {}) // until killed
  })
} else if (mode === 'migrate') {
  const killAt = values['kill-at'] === undefined ? undefined : Number(values['kill-at'])
  const killOn = values['kill-on'] === undefined ? undefined : new RegExp(values['kill-on'], 'i')
  const killDelay = Number(values['kill-delay'] ?? 0)
  const pauseOn = values['pause-on'] === undefined ? undefined : new RegExp(values['pause-on'], 'i')
  let paused = false
  let count = 0
  const started = new Map<unknown, { n: number; at: number }>()
  const counter: KyselyPlugin = {
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      const n = ++count
      const text = database.db.getExecutor().compileQuery(args.node, args.queryId).sql.replace(/\s+/g, ' ')
      started.set(args.queryId, { n, at: performance.now() })
      out(`START ${n} ${text}`)
      if (n === killAt) setImmediate(die)
      if (killOn?.test(text)) setTimeout(die, killDelay)
      if (pauseOn?.test(text) && !paused) {
        paused = true
        out(`PAUSED ${n}`) // stdout to a pipe is synchronous on Linux: the test sees it now
        // transformQuery cannot await: block this process (it does nothing else) until resumed.
        const cell = new Int32Array(new SharedArrayBuffer(4))
        while (!existsSync(values['resume-file']!)) Atomics.wait(cell, 0, 0, 20)
      }
      return args.node
    },
    async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      const start = started.get(args.queryId)
      if (start) out(`DONE ${start.n} ${Math.round(performance.now() - start.at)}`)
      return args.result
    },
  }
  const steps = await migrateToLatest(database.db.withPlugin(counter))
  for (const step of steps) out(`APPLIED ${step.name}`)
  await database.db.destroy()
} else {
  console.error(`unknown mode ${mode}`)
  process.exitCode = 2
}
