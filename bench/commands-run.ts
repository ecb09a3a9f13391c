/**
 * `npm run bench:commands`: the commands table of `npm run bench` alone (see commands.ts), on
 * a PostgreSQL (and MariaDB/MySQL with `--dialect all`) database of its own, migrated first and
 * dropped at the end.
 *
 *   npm run bench:commands -- [--dialect postgres|mysql|all] [--runs N]
 */
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { connectDatabase, migrateToLatest } from '../src/index.js'
import { measureCommands, printCommands } from './commands.js'
import { createBenchDatabase, type BenchDatabase, type ServerKind } from './servers.js'

const NAMES: Record<ServerKind, string> = { postgres: 'PostgreSQL', mysql: 'MariaDB/MySQL' }
const { values } = parseArgs({ options: { dialect: { type: 'string', default: 'postgres' }, runs: { type: 'string', default: '5' } }, strict: true })
const kinds: ServerKind[] = values.dialect === 'all' ? ['postgres', 'mysql'] : [values.dialect as ServerKind]
const databases: BenchDatabase[] = []
try {
  const before = loadavg()
  const servers: Record<string, { kind: ServerKind; url: string }> = {}
  for (const kind of kinds) {
    const database = await createBenchDatabase(kind, 'commands')
    databases.push(database)
    const { db } = await connectDatabase({ url: database.url })
    await migrateToLatest(db)
    await db.destroy()
    servers[NAMES[kind]] = { kind, url: database.url }
  }
  const result = measureCommands(servers, Number(values.runs))
  printCommands(result, (line) => console.log(line))
  const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(' / ')
  console.log(`\nload average (1/5/15 min) ${load(before)} before, ${load(loadavg())} after; Node ${process.version}`)
} finally {
  for (const database of databases) await database.drop()
}
