/**
 * What a service pays at start before it can serve: importing the module, opening the
 * database, the boot check. Each is measured in a fresh Node process on the compiled module
 * (`tsc` into bench/results/dist, as router-backend would load `dist/`), so nothing is cached.
 *
 * - import time, and which packages end up loaded after importing the module and connecting
 *   to one database (only that database's driver should be);
 * - PGlite: a cold start (a new data folder: create it and apply every migration) and a warm
 *   start (the same folder reopened: the no-op check).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const DIST = join(ROOT, 'bench', 'results', 'dist')
const PROBE = join(ROOT, 'bench', 'startup-probe.mjs')

export interface ProbeResult {
  readonly importMs: number
  readonly openMs: number
  readonly migrateMs: number
  readonly applied: readonly string[]
  readonly queries: number
  readonly packages?: readonly string[]
}

export interface StartupResult {
  /** Per database kind: a no-op boot in a fresh process, and the packages it loaded. */
  readonly boots: Record<string, ProbeResult>
  readonly pglite: { readonly cold: ProbeResult; readonly warm: ProbeResult }
}

/** Compiles `src/` once for the probes. */
export function compileModule(): string {
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json'),
    '--outDir', DIST, '--declaration', 'false', '--sourceMap', 'false'], { stdio: 'inherit' })
  return join(DIST, 'index.js')
}

export function probe(entry: string, url: string, traceLoads = false): ProbeResult {
  const args = [PROBE, entry, url, ...(traceLoads ? ['--trace-loads'] : [])]
  const { DATABASE_URL: _ignored, ...env } = process.env
  const out = execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env })
  return JSON.parse(out.trim().split('\n').at(-1)!) as ProbeResult
}

/** The median (by import time) of three probes, plus the packages from a traced one. */
function probeMedian(entry: string, url: string): ProbeResult {
  const runs = [probe(entry, url), probe(entry, url), probe(entry, url)].sort((a, b) => a.importMs - b.importMs)
  return { ...runs[1]!, packages: probe(entry, url, true).packages }
}

export function measureStartup(entry: string, urls: Record<string, string>): StartupResult {
  const boots: Record<string, ProbeResult> = {}
  for (const [kind, url] of Object.entries(urls)) boots[kind] = probeMedian(entry, url)
  const dir = mkdtempSync(join(tmpdir(), 'artorizer-bench-pglite-'))
  try {
    const url = `pglite:${dir}`
    const cold = probe(entry, url, true)
    const warm = probeMedian(entry, url)
    boots.pglite = warm
    return { boots, pglite: { cold, warm } }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
