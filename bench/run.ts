/**
 * `npm run bench`: migrating a large, busy `artwork_jobs` online versus the naive way, and
 * what a service pays at boot. Not a test: it prints a table (and writes it as JSON) for a
 * person to read; see docs/benchmarks.md.
 *
 *   npm run bench -- [--rows N[,N...]] [--link-rows N] [--link-batches N,...] [--parts live,link,plugins,boot,startup,busy,stall,server-setups,rename,ids,standby]
 *                    [--dialect postgres|mysql|galera|all] [--galera-rows N] [--json <file>]
 *
 * `--rows 100000,1000000` runs the live migration at each size and prints how its time and the
 * writer's worst insert grow with the table. The boot, startup and plugins parts use the last size.
 *
 * Servers: BENCH_POSTGRES_URL and BENCH_MYSQL_URL (default: the local servers). It creates
 * databases of its own (`bench_<run>_…`) and drops them at the end.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { loadavg, cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { measureBootCheck, type BootCheckResult } from './boot-check.js'
import { measureBusyTable, printBusyTable, type BusyTableResult } from './busy-table.js'
import { writeLatencyCharts } from './chart.js'
import { measureLinking, type LinkResult } from './link.js'
import { measurePlugins, type PluginsResult } from './plugins.js'
import { measureRename, type RenameResult } from './rename.js'
import { measureIdChange, type IdChangeResult } from './ids.js'
import { measureLiveMigration, type LiveMigrationResult } from './live-migration.js'
import { DEFAULT_GALERA_WAYS, GALERA_WAYS, galeraBenchUnavailable, measureGalera, type GaleraResult, type GaleraWay } from './galera.js'
import { measureIndexStall, printIndexStall, type IndexStallRow } from './index-stall.js'
import { measureServerSetups } from './server-setups.js'
import { measureStandby, printStandby, type StandbyResult } from './standby.js'
import { printReport } from './report.js'
import { WORST_STALL_TARGET_MS } from './targets.js'
import { serverUrl, type BenchDatabase, type ServerKind } from './servers.js'
import { compileModule, measureStartup, type StartupResult } from './startup.js'
import { measureCommands, type CommandsResult } from './commands.js'

/** Where the JSON report goes without `--json` (git ignores bench/results/). */
const DEFAULT_JSON_FILE = 'bench/results/latest.json'

const PARTS = ['live', 'link', 'plugins', 'boot', 'startup', 'busy', 'stall', 'server-setups', 'rename', 'ids', 'standby'] as const
type Part = (typeof PARTS)[number]
/**
 * `stall`, `server-setups`, `rename`, `ids` and `standby` only when asked for: six index builds per server,
 * and global settings changed for some of them; private servers of their own (`standby`: a primary
 * and a hot standby, three migrations of `--rows` rows), each filled with `--rows` rows; `rename`
 * fills two more copies of `--rows` artworks per server and links every one to a user; `ids` fills
 * two more copies of `--rows` artworks (no users) per server.
 */
const OPT_IN: readonly Part[] = ['stall', 'server-setups', 'rename', 'ids', 'standby']
const DEFAULT_PARTS: readonly Part[] = PARTS.filter((part) => !OPT_IN.includes(part))
const USAGE =
  'usage: npm run bench -- [--rows N[,N...]] [--link-rows N] [--link-batches N,...] [--parts live,link,plugins,boot,startup,busy,stall,server-setups,rename,ids,standby] [--dialect postgres|mysql|galera|all] [--galera-rows N] [--galera-ways toi,rsu,local,local-nowait,local-200ms,copy] [--json <file>]'
/** Where the latency charts go (git ignores bench/results/; docs/benchmarks.md shows copies from docs/bench/). */
const CHART_DIR = 'bench/results'

/** Everything one run measured: what the JSON file holds and the table shows. */
export interface BenchReport {
  startedAt: string
  /** The table size of `live` (the last of `--rows`). */
  rows: number
  /** Load averages (1, 5, 15 min) before and after: other work on the machine skews the numbers. */
  machine: { cpus: number; loadBefore: number[]; loadAfter: number[]; node: string }
  live: Partial<Record<ServerKind, LiveRun>>
  /** The live migration at every size of `--rows` (when more than one was given). */
  scaling: { rows: number; live: Partial<Record<ServerKind, LiveRun>> }[]
  link: Partial<Record<ServerKind, LinkResult>>
  /** Issue 10: the plugin set's generated migration on `rows` artworks and 1,000 users, beside Better Auth's own. */
  plugins?: Partial<Record<ServerKind, PluginsResult>>
  /** Issue 19: the core tables renamed (plural, snake_case) on `rows` artworks and 1,000 users, beside the plain statements, while another transaction holds `user`. */
  rename?: Partial<Record<ServerKind, RenameResult>>
  /** Issue 19: the ids made uuids (empty core tables) on `rows` artworks with no owner, beside the plain ALTER COLUMN statements. */
  ids?: Partial<Record<ServerKind, IdChangeResult>>
  boot: Partial<Record<ServerKind, BootCheckResult>>
  /** The migration waiting its turn behind a transaction that holds artwork_jobs (issue 13.6). */
  busy?: Partial<Record<ServerKind, BusyTableResult>>
  startup?: StartupResult
  /** The everyday commands' wall time beside their floor (issue 13). */
  commands?: CommandsResult
  /** What the writer's worst insert waits on during the index build, under each variant (`--parts stall`, `--parts server-setups`). */
  stall?: IndexStallRow[]
  /** A hot standby's readers while the primary migrates (`--parts standby`, PostgreSQL). */
  standby?: StandbyResult
  /** The Galera part: its own 3-node cluster, `galeraRows` rows (`--galera-rows`, default 200,000). */
  galera?: GaleraResult
  targets: Record<ServerKind, number>
}

/** A live migration as the report keeps it: without the writer's raw samples (the charts have them). */
export type LiveRun = Omit<LiveMigrationResult, 'upToDate' | 'samples'>

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000000' },
      'link-rows': { type: 'string', default: '100000' },
      'link-batches': { type: 'string' },
      parts: { type: 'string', default: DEFAULT_PARTS.join(',') },
      dialect: { type: 'string', default: 'all' },
      'galera-rows': { type: 'string', default: '200000' },
      'galera-ways': { type: 'string', default: DEFAULT_GALERA_WAYS.join(',') },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  })
  if (values.help) {
    console.log(USAGE)
    return 0
  }
  const sizes = values.rows!.split(',').map((n) => Number(n.replaceAll('_', '')))
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) return usage(`--rows takes positive whole numbers separated by commas, not "${values.rows}"`)
  const linkRows = Number(values['link-rows']!.replaceAll('_', ''))
  if (!Number.isInteger(linkRows) || linkRows < 1) return usage(`--link-rows must be a positive whole number, not "${values['link-rows']}"`)
  const linkBatches = values['link-batches']?.split(',').map(Number)
  if (linkBatches?.some((n) => !Number.isInteger(n) || n < 1 || n > 10_000)) return usage(`--link-batches takes batch sizes from 1 to 10000, not "${values['link-batches']}"`)
  const parts = new Set(values.parts!.split(',') as Part[])
  const unknownPart = [...parts].find((part) => !PARTS.includes(part))
  if (unknownPart !== undefined) return usage(`--parts takes ${PARTS.join(', ')}, not "${unknownPart}"`)
  // The boot and startup parts run on the database the live migration leaves behind.
  if (!parts.has('live')) parts.delete('boot'), parts.delete('startup')
  const rows = sizes.at(-1)!
  const galeraRows = Number(values['galera-rows']!.replaceAll('_', '').replaceAll(',', ''))
  if (!Number.isInteger(galeraRows) || galeraRows < 1) return usage(`--galera-rows must be a positive whole number, not "${values['galera-rows']}"`)
  const dialects: ServerKind[] =
    values.dialect === 'all' ? ['postgres', 'mysql'] : values.dialect === 'postgres' || values.dialect === 'mysql' ? [values.dialect] : []
  if (dialects.length === 0 && values.dialect !== 'galera') return usage(`--dialect must be postgres, mysql, galera or all, not "${values.dialect}"`)
  // Galera runs with `all` when a cluster can be started here (galera-4 installed), and alone with `galera`.
  const galeraWays = values['galera-ways']!.split(',').map((w) => w.trim()) as GaleraWay[]
  if (galeraWays.some((w) => !GALERA_WAYS.includes(w))) return usage(`--galera-ways must list ${GALERA_WAYS.join(', ')}, not "${values['galera-ways']}"`)
  const galeraWhy = galeraBenchUnavailable()
  if (values.dialect === 'galera' && galeraWhy) return usage(`no Galera cluster: ${galeraWhy}`)
  const withGalera = values.dialect === 'galera' || (values.dialect === 'all' && !galeraWhy)

  // Index build progress is drawn on a terminal only, and never with --json.
  const interactive = values.json === undefined && process.stdout.isTTY === true
  const log = (line: string) => console.log(line)

  const report: BenchReport = {
    startedAt: new Date().toISOString(),
    rows,
    machine: { cpus: cpus().length, loadBefore: loadavg(), loadAfter: [], node: process.version },
    live: {},
    scaling: [],
    link: {},
    boot: {},
    targets: WORST_STALL_TARGET_MS,
  }
  const urls: Record<string, string> = {}
  const upToDate: BenchDatabase[] = []
  try {
    for (const kind of dialects) {
      if (parts.has('live')) {
        for (const [i, size] of sizes.entries()) {
          log(`${kind} (${redact(serverUrl(kind))}), ${size.toLocaleString('en')} rows:`)
          const { upToDate: database, ...live } = await measureLiveMigration(kind, { rows: size, log, progress: interactive ? process.stdout : undefined })
          const { samples: _samples, ...kept } = live
          if (i === sizes.length - 1) {
            upToDate.push(database)
            report.live[kind] = kept
            for (const file of writeLatencyCharts(CHART_DIR, kind, live)) log(`  chart: ${file}`)
          } else {
            await database.drop()
          }
          let entry = report.scaling.find((s) => s.rows === size)
          if (!entry) report.scaling.push((entry = { rows: size, live: {} }))
          entry.live[kind] = kept
        }
      }
      if (parts.has('link')) {
        log(`${kind}: artworks:link of ${linkRows.toLocaleString('en')} artworks, beside the staging-table join:`)
        report.link[kind] = await measureLinking(kind, { rows: linkRows, batchSizes: linkBatches, log })
      }
      if (parts.has('plugins')) {
        log(`${kind}: the plugin set's migration on ${rows.toLocaleString('en')} artworks while a writer inserts:`)
        ;(report.plugins ??= {})[kind] = await measurePlugins(kind, { rows, log })
      }
      if (parts.has('rename')) {
        log(`${kind}: the core tables renamed on ${rows.toLocaleString('en')} artworks while a writer inserts and a transaction holds user:`)
        ;(report.rename ??= {})[kind] = await measureRename(kind, { rows, log })
      }
      if (parts.has('ids')) {
        log(`${kind}: the ids made uuids (empty core tables) on ${rows.toLocaleString('en')} artworks with no owner while a writer inserts:`)
        ;(report.ids ??= {})[kind] = await measureIdChange(kind, { rows, log })
      }
      const database = upToDate.find((d) => d.kind === kind)
      if (database && parts.has('boot')) {
        log('  boot check on the up-to-date database, three ways...')
        report.boot[kind] = await measureBootCheck(kind, database.url)
      }
      if (database) urls[kind] = database.url
      if (parts.has('busy')) (report.busy ??= {})[kind] = await measureBusyTable(kind, log)
      if (parts.has('stall')) (report.stall ??= []).push(...(await measureIndexStall(kind, { rows, log })))
      if (parts.has('server-setups')) (report.stall ??= []).push(...(await measureServerSetups(kind, { rows, log })))
    }
    if (parts.has('startup')) {
      log('startup in fresh processes (compiling src/ first)...')
      report.startup = measureStartup(compileModule(), urls)
      log('the commands, each beside its floor...')
      report.commands = measureCommands(Object.fromEntries(Object.entries(urls).map(([kind, url]) => [kind === 'mysql' ? 'MariaDB/MySQL' : 'PostgreSQL', { kind: kind as ServerKind, url }])))
    }
    if (parts.has('standby')) {
      log(`standby (a primary and a hot standby of its own), ${rows.toLocaleString('en')} rows:`)
      report.standby = await measureStandby(rows, log)
    }
    if (withGalera) {
      log(`galera (3 nodes), ${galeraRows.toLocaleString('en')} rows:`)
      report.galera = await measureGalera(galeraRows, log, galeraWays)
    } else if (values.dialect === 'all') {
      log(`galera: skipped (${galeraWhy})`)
    }
  } finally {
    for (const database of upToDate) await database.drop()
  }
  if (report.scaling.length < 2) report.scaling = []
  report.machine.loadAfter = loadavg()

  const jsonFile = values.json ?? DEFAULT_JSON_FILE
  mkdirSync(dirname(jsonFile), { recursive: true })
  writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`)
  printReport(report, log)
  printBusyTable(report.busy ?? {}, log)
  printIndexStall(rows, report.stall ?? [], log)
  printStandby(report.standby, log)
  log(`\nThe same as JSON: ${jsonFile}`)
  return 0
}

function usage(message: string): number {
  console.error(`error: ${message}\n${USAGE}`)
  return 2
}

function redact(url: string): string {
  const parsed = new URL(url)
  if (parsed.password) parsed.password = '***'
  return parsed.toString()
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error(`❌ ${error instanceof Error ? error.message : String(error)}`)
    if (process.env.DEBUG && error instanceof Error) console.error(error.stack)
    process.exitCode = 1
  },
)
