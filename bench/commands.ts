/**
 * How long the everyday commands take, wall clock from starting the process to its exit, each
 * beside its floor measured in the same run (issue 13):
 *
 * - `migrate:status` on an up-to-date server database: floor = a fresh Node process that
 *   connects with the driver and sends one `select 1` (`floor-probe.mjs`);
 * - `migrate:status` on a warm PGlite folder: floor = PGlite's bare open of that folder and one
 *   `select 1`;
 * - the first `migrate:latest` on a new PGlite folder: floor = PGlite's bare open of a new
 *   folder (its initdb), which a new database started from the template does not pay.
 *
 * Each command runs three ways: `npm run -s <command>` (what a developer types: npm's own start
 * included), the npm scripts' launcher alone (`node scripts/cli.mjs`: the bundle built when
 * stale), and the way the scripts ran before, `tsx src/cli.ts` (TypeScript compiled each run).
 *
 *   npm run bench:commands          the table alone (makes its own PostgreSQL database)
 *   npm run bench                   also prints it, after the other parts
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const FLOOR = join(ROOT, 'bench', 'floor-probe.mjs')
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx')

/** What issue 13 asks of this machine, in milliseconds of wall time. */
export const COMMAND_TARGETS_MS = { serverStatus: 600, pgliteWarmStatus: 1_500, pgliteFirstMigrate: 2_500 } as const

export interface CommandTiming {
  readonly command: string
  readonly database: string
  readonly how: string
  /** Median wall time over `runs`, in ms. */
  readonly ms: number
  readonly runs: number
  readonly targetMs?: number
}

export interface CommandsResult {
  readonly timings: CommandTiming[]
}

interface Way {
  readonly how: string
  readonly file: string
  readonly args: readonly string[]
}

const ways = (command: string): Way[] => [
  { how: `npm run -s ${command}`, file: NPM, args: ['run', '-s', command] },
  { how: `node scripts/cli.mjs ${command}`, file: process.execPath, args: [join(ROOT, 'scripts', 'cli.mjs'), command] },
  { how: `tsx src/cli.ts ${command} (before)`, file: TSX, args: [join(ROOT, 'src', 'cli.ts'), command] },
]

/** Runs a process to its end and returns its wall time; throws when it fails. */
function timed(file: string, args: readonly string[], env: Record<string, string | undefined>): number {
  const started = performance.now()
  const result = spawnSync(file, args, { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' })
  const elapsed = performance.now() - started
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.status}: ${result.stderr || result.stdout}`)
  return elapsed
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

/** The median of `runs` wall times. */
function measure(runs: number, run: (i: number) => number): number {
  return median(Array.from({ length: runs }, (_, i) => run(i)))
}

/**
 * Measures every row of the table. `servers` are up-to-date databases by label
 * (`PostgreSQL`: url), e.g. those the live-migration part leaves.
 */
export function measureCommands(servers: Record<string, { kind: 'postgres' | 'mysql'; url: string }>, runs = 5): CommandsResult {
  const timings: CommandTiming[] = []
  const env = (url: string) => ({ DATABASE_URL: url, NO_COLOR: '1', DEBUG: undefined })
  // The launcher's bundle is built now, once, when src/ changed: not part of any row.
  timed(process.execPath, [join(ROOT, 'scripts', 'cli.mjs'), '--version'], {})

  for (const [label, { kind, url }] of Object.entries(servers)) {
    const database = `${label}, up to date`
    timings.push({ command: 'floor: connect + `select 1`', database, how: `node bench/floor-probe.mjs ${kind}`, runs, ms: measure(runs, () => timed(process.execPath, [FLOOR, kind, url], {})) })
    for (const way of ways('migrate:status')) {
      timings.push({ command: 'migrate:status', database, how: way.how, runs, ms: measure(runs, () => timed(way.file, way.args, env(url))),
        targetMs: kind === 'postgres' && !way.how.includes('before') ? COMMAND_TARGETS_MS.serverStatus : undefined })
    }
  }

  const work = mkdtempSync(join(tmpdir(), 'artorizer-bench-commands-'))
  try {
    const warm = join(work, 'warm')
    timed(process.execPath, [join(ROOT, 'scripts', 'cli.mjs'), 'migrate:latest'], env(`pglite:${warm}`)) // also makes the template, if missing
    const database = 'PGlite, warm folder'
    timings.push({ command: "floor: PGlite's bare open + `select 1`", database, how: 'node bench/floor-probe.mjs pglite', runs, ms: measure(runs, () => timed(process.execPath, [FLOOR, 'pglite', warm], {})) })
    for (const way of ways('migrate:status')) {
      timings.push({ command: 'migrate:status', database, how: way.how, runs, ms: measure(runs, () => timed(way.file, way.args, env(`pglite:${warm}`))),
        targetMs: way.how.includes('before') ? undefined : COMMAND_TARGETS_MS.pgliteWarmStatus })
    }

    const slowRuns = Math.max(1, Math.min(runs, 3))
    let folders = 0
    const fresh = () => join(work, `new-${++folders}`)
    const first = 'PGlite, new folder'
    timings.push({ command: "floor: PGlite's bare open of a new folder (its initdb)", database: first, how: 'node bench/floor-probe.mjs pglite', runs: slowRuns,
      ms: measure(slowRuns, () => timed(process.execPath, [FLOOR, 'pglite', fresh()], {})) })
    for (const way of ways('migrate:latest').slice(0, 2)) {
      timings.push({ command: 'migrate:latest (from the template)', database: first, how: way.how, runs: slowRuns,
        ms: measure(slowRuns, () => timed(way.file, way.args, env(`pglite:${fresh()}`))), targetMs: COMMAND_TARGETS_MS.pgliteFirstMigrate })
    }
    // As before the template: no cache folder to keep it in, so PGlite runs initdb in the new folder.
    writeFileSync(join(work, 'a-file'), '')
    const noCache = { ARTORIZER_AUTH_DB_CACHE_DIR: join(work, 'a-file', 'cache') }
    timings.push({ command: 'migrate:latest (no template: initdb)', database: first, how: `node scripts/cli.mjs migrate:latest`, runs: slowRuns,
      ms: measure(slowRuns, () => timed(process.execPath, [join(ROOT, 'scripts', 'cli.mjs'), 'migrate:latest'], { ...env(`pglite:${fresh()}`), ...noCache })) })
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  return { timings }
}

/** The table, in Markdown like the other parts. */
export function printCommands(result: CommandsResult, print: (line: string) => void): void {
  print('')
  print(`Commands, wall time from process start to exit (median; floor = the same database opened with its driver alone, one \`select 1\`):`)
  print('')
  print('| database | command | how | wall | runs | target |')
  print('| --- | --- | --- | ---: | ---: | ---: |')
  for (const t of result.timings) {
    const target = t.targetMs === undefined ? '' : `${t.ms <= t.targetMs ? '✅' : '❌'} ≤ ${(t.targetMs / 1000).toFixed(1)} s`
    print(`| ${t.database} | ${t.command} | \`${t.how}\` | ${(t.ms / 1000).toFixed(2)} s | ${t.runs} | ${target} |`)
  }
}
