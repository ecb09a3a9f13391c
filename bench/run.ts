/**
 * `npm run bench`: migrating a large, busy `artwork_jobs` online versus the naive way, and
 * what a service pays at boot. Not a test: it prints a table (and writes it as JSON) for a
 * person to read; see the README's "Performance" section.
 *
 *   npm run bench -- [--rows N] [--dialect postgres|mysql|galera|all] [--galera-rows N] [--json <file>]
 *
 * Servers: BENCH_POSTGRES_URL and BENCH_MYSQL_URL (default: the local servers). It creates
 * databases of its own (`bench_<run>_…`) and drops them at the end.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { loadavg, cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { measureBootCheck, type BootCheckResult } from './boot-check.js'
import { measureLiveMigration, type LiveMigrationResult } from './live-migration.js'
import { GALERA_WAYS, galeraBenchUnavailable, measureGalera, type GaleraResult, type GaleraWay } from './galera.js'
import { printReport } from './report.js'
import { serverUrl, type BenchDatabase, type ServerKind } from './servers.js'
import { compileModule, measureStartup, type StartupResult } from './startup.js'

/** The targets from issue 4: the writer's worst stall during our migration, at 1,000,000 rows. */
/** Where the JSON report goes without `--json` (git ignores bench/results/). */
const DEFAULT_JSON_FILE = 'bench/results/latest.json'

export const WORST_STALL_TARGET_MS: Record<ServerKind, number> = { postgres: 50, mysql: 250 }

/** Everything one run measured: what the JSON file holds and the table shows. */
export interface BenchReport {
  startedAt: string
  rows: number
  /** Load averages (1, 5, 15 min) before and after: other work on the machine skews the numbers. */
  machine: { cpus: number; loadBefore: number[]; loadAfter: number[]; node: string }
  live: Partial<Record<ServerKind, Omit<LiveMigrationResult, 'upToDate'>>>
  boot: Partial<Record<ServerKind, BootCheckResult>>
  startup?: StartupResult
  /** The Galera part: its own 3-node cluster, `galeraRows` rows (`--galera-rows`, default 200,000). */
  galera?: GaleraResult
  targets: Record<ServerKind, number>
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000000' },
      dialect: { type: 'string', default: 'all' },
      'galera-rows': { type: 'string', default: '200000' },
      'galera-ways': { type: 'string', default: GALERA_WAYS.join(',') },
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
  const rows = Number(values.rows!.replaceAll('_', '').replaceAll(',', ''))
  if (!Number.isInteger(rows) || rows < 1) return usage(`--rows must be a positive whole number, not "${values.rows}"`)
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
    boot: {},
    targets: WORST_STALL_TARGET_MS,
  }
  const urls: Record<string, string> = {}
  const upToDate: BenchDatabase[] = []
  try {
    for (const kind of dialects) {
      log(`${kind} (${redact(serverUrl(kind))}), ${rows.toLocaleString('en')} rows:`)
      const { upToDate: database, ...live } = await measureLiveMigration(kind, { rows, log, progress: interactive ? process.stdout : undefined })
      upToDate.push(database)
      report.live[kind] = live
      log('  boot check on the up-to-date database, three ways...')
      report.boot[kind] = await measureBootCheck(kind, database.url)
      urls[kind] = database.url
    }
    if (withGalera) {
      log(`galera (3 nodes), ${galeraRows.toLocaleString('en')} rows:`)
      report.galera = await measureGalera(galeraRows, log, galeraWays)
    } else if (values.dialect === 'all') {
      log(`galera: skipped (${galeraWhy})`)
    }
    if (dialects.length > 0) {
      log('startup in fresh processes (compiling src/ first)...')
      report.startup = measureStartup(compileModule(), urls)
    }
  } finally {
    for (const database of upToDate) await database.drop()
  }
  report.machine.loadAfter = loadavg()

  const jsonFile = values.json ?? DEFAULT_JSON_FILE
  mkdirSync(dirname(jsonFile), { recursive: true })
  writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`)
  printReport(report, log)
  log(`\nThe same as JSON: ${jsonFile}`)
  return 0
}

const USAGE = 'usage: npm run bench -- [--rows N] [--dialect postgres|mysql|galera|all] [--galera-rows N] [--galera-ways toi,rsu,copy] [--json <file>]'

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
