/**
 * The real CLI, bundled once per test file into plain JavaScript with esbuild (which tsx itself
 * uses), so that a test can start many CLI processes without paying tsx's TypeScript start-up in
 * each: on a 2-core machine that is the difference between seconds and a minute. Packages stay
 * external and load from node_modules as they would in production.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { createHash, randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const OUT_DIR = join(ROOT, '.test-build')

export interface ProcessResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

const bundles = new Map<string, Promise<string>>()

/**
 * Bundles `entry` (a path from the project root) and resolves with the JavaScript file's path.
 * The file is named by its content's hash and written by rename, so test workers bundling at
 * the same time never read each other's half-written file, and a rerun reuses it.
 */
export function bundle(entry: string): Promise<string> {
  let file = bundles.get(entry)
  if (!file) {
    file = build({
      entryPoints: [join(ROOT, entry)],
      outfile: join(OUT_DIR, 'bundle.mjs'),
      write: false,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'error',
    }).then(({ outputFiles }) => {
      const code = outputFiles[0]!.contents
      const hash = createHash('sha256').update(code).digest('hex').slice(0, 16)
      const outfile = join(OUT_DIR, `${entry.replace(/[^a-z0-9]+/gi, '_')}.${hash}.mjs`)
      if (!existsSync(outfile)) {
        mkdirSync(OUT_DIR, { recursive: true })
        const partial = `${outfile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
        writeFileSync(partial, code)
        renameSync(partial, outfile)
      }
      return outfile
    })
    bundles.set(entry, file)
  }
  return file
}

/**
 * Starts `node <bundle of entry> ...args`; `DEBUG` is unset unless `env` sets it. `FORCE_COLOR`
 * keeps the CLI's status marks (✅ ❌) in the pipe tests read; a test of plain output unsets it.
 */
export async function spawnBundled(entry: string, args: readonly string[], env: Record<string, string | undefined> = {}): Promise<ChildProcess> {
  const file = await bundle(entry)
  return spawn(process.execPath, [file, ...args], {
    cwd: ROOT,
    env: { ...process.env, DEBUG: undefined, NO_COLOR: undefined, FORCE_COLOR: '1', DATABASE_CONNECT_TIMEOUT_MS: undefined, MIGRATION_LOCK_TIMEOUT_MS: undefined, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
}

/** Collects a started process's output and waits for it to end. */
export function finished(child: ChildProcess): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (chunk) => (stdout += chunk))
    child.stderr?.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}

/** Runs the bundled CLI (`src/cli.ts`) to the end. */
export async function runCli(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<ProcessResult> {
  return finished(await spawnBundled('src/cli.ts', args, env))
}

/** kysely-ctl, as docs/cli.md says to run it (`npm run kysely -- …`), over `kysely.config.ts`. */
export function runKyselyCtl(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<ProcessResult> {
  const bin = join(ROOT, 'node_modules', '.bin', 'kysely')
  return finished(spawn(bin, [...args], { cwd: ROOT, env: { ...process.env, DEBUG: undefined, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }))
}
