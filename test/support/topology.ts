/**
 * Production topologies that tests start on this machine: a PgBouncer in front of a PostgreSQL,
 * and PostgreSQL servers of other majors than the machine's (real server binaries from the npm
 * registry, see postgres-binaries.ts). Heavy to start, so they run where `CI_TOPOLOGY=1` (set by
 * `.ci/run` for one Node version) or, outside CI, wherever the software is installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { postgresBinaries } from './postgres-binaries.js'
import { freePort } from './free-port.js'

/** What a topology test needs: Debian's PgBouncer, or the server binaries of a PostgreSQL major. */
export type TopologySoftware = 'pgbouncer' | { readonly postgres: number }

/**
 * Why topology tests needing `software` (all of it; none: only the topology gate) cannot run
 * here, or undefined when they can.
 */
export function topologyUnavailable(...software: readonly TopologySoftware[]): string | undefined {
  if (process.env.CI && process.env.CI_TOPOLOGY !== '1') return 'CI runs topology tests on one Node version only (CI_TOPOLOGY=1)'
  return software.map(missingReason).find((reason) => reason !== undefined)
}

function missingReason(software: TopologySoftware): string | undefined {
  if (software === 'pgbouncer') return spawnSync('pgbouncer', ['--version']).status === 0 ? undefined : 'pgbouncer is not installed (.ci/run installs it)'
  if (!postgresBinaries(software.postgres)) return `PostgreSQL ${software.postgres}'s binaries are not installed (.ci/install-postgres, which .ci/run calls, installs them)`
  if (isRoot() && spawnSync('id', ['-u', 'postgres']).status !== 0) return 'running as root without a postgres OS user to run PostgreSQL as'
  return undefined
}

/** Servers this process started: stopped (fast shutdown) if it exits without stopping them. */
const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) child.kill('SIGINT')
})

function track(child: ChildProcess): ChildProcess {
  running.add(child)
  child.once('exit', () => running.delete(child))
  return child
}

/** Sends SIGINT (both servers' fast shutdown) and waits for the exit; SIGKILL after 10 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGINT')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

async function waitForPort(port: number, child: ChildProcess, log: () => string, timeoutMs = 30_000): Promise<void> {
  const { connect } = await import('node:net')
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${log()}`)
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end()
        resolve(true)
      })
      socket.on('error', () => resolve(false))
    })
    if (open) return
    if (Date.now() > deadline) throw new Error(`not listening on ${port} after ${timeoutMs} ms: ${log()}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

export type PoolMode = 'transaction' | 'session'

export interface PgBouncer {
  readonly port: number
  readonly mode: PoolMode
  /** How many server connections each database may have (so that a test can visit them all). */
  readonly poolSize: number
  /** `url` (a database on the PostgreSQL behind it) rewritten to go through this PgBouncer. */
  through(url: string): string
  stop(): Promise<void>
}

/**
 * Starts Debian's `pgbouncer` on a free loopback port with a folder of its own, in front of the
 * PostgreSQL of `serverUrl`. Clients are trusted; PgBouncer logs in to the server with the URL's
 * password (from its auth file), or none for a server that trusts it. It runs as the `postgres`
 * OS user, since PgBouncer refuses to run as root.
 */
export async function startPgBouncer(serverUrl: string, mode: PoolMode, poolSize = 5): Promise<PgBouncer> {
  const server = new URL(serverUrl)
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), `artorizer-pgbouncer-${mode}-`))
  const user = decodeURIComponent(server.username || 'postgres')
  const password = decodeURIComponent(server.password).replaceAll('"', '""')
  writeFileSync(join(dir, 'userlist.txt'), `"${user}" "${password}"\n`)
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      `pool_mode = ${mode}`,
      `default_pool_size = ${poolSize}`,
      'max_client_conn = 500',
      `admin_users = ${user}`,
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  )
  chmodSync(dir, 0o755)
  const asPostgres = isRoot()
  if (asPostgres) for (const file of ['', 'userlist.txt', 'pgbouncer.ini']) chownSync(join(dir, file), uidOf('postgres'), gidOf('postgres'))
  const child = track(
    spawn('pgbouncer', [join(dir, 'pgbouncer.ini')], {
      stdio: 'ignore',
      ...(asPostgres ? { uid: uidOf('postgres'), gid: gidOf('postgres') } : {}),
    }),
  )
  const log = () => {
    try {
      return readFileSync(join(dir, 'pgbouncer.log'), 'utf8').split('\n').slice(-5).join(' | ')
    } catch {
      return ''
    }
  }
  await waitForPort(port, child, log)
  return {
    port,
    mode,
    poolSize,
    through(url) {
      const through = new URL(url)
      through.hostname = '127.0.0.1'
      through.port = String(port)
      return through.toString()
    },
    async stop() {
      await stopChild(child)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export interface PostgresServer {
  /** A superuser URL of its `postgres` database (user `postgres`, a password of its own). */
  readonly url: string
  /** `server_version`, as the server says it. */
  readonly version: string
  stop(): Promise<void>
}

/**
 * Starts PostgreSQL `major` from its binaries (postgres-binaries.ts) in a temporary folder of its
 * own, on a free loopback port, with SCRAM password authentication as managed servers have.
 * initdb and postgres refuse to run as root: as root they run as the `postgres` OS user.
 * `fsync=off`: a throw-away server, and the 2-core machine's disk is shared.
 */
export async function startPostgres(major: number): Promise<PostgresServer> {
  const bin = postgresBinaries(major)
  if (!bin) throw new Error(`PostgreSQL ${major}'s binaries are not installed (.ci/install-postgres)`)
  const owner = isRoot() ? { uid: uidOf('postgres'), gid: gidOf('postgres') } : undefined
  const root = mkdtempSync(join(tmpdir(), `artorizer-pg${major}-`))
  chmodSync(root, 0o755)
  // The server's socket and lock files, and the password file initdb reads, are the server user's.
  if (owner) chownSync(root, owner.uid, owner.gid)
  const data = join(root, 'data')
  const password = `pg${major}-${randomBytes(6).toString('hex')}`
  const passwordFile = join(root, 'password')
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 })
  if (owner) chownSync(passwordFile, owner.uid, owner.gid)
  // LC_MESSAGES=C: the readiness line below is matched in English.
  const env = { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' }
  const log: string[] = []
  const remember = (chunk: unknown) => {
    log.push(...String(chunk).split('\n').filter(Boolean))
    log.splice(0, Math.max(0, log.length - 20))
  }
  try {
    const initdb = spawnSync(
      join(bin, 'initdb'),
      ['-D', data, '-U', 'postgres', `--pwfile=${passwordFile}`, '-A', 'scram-sha-256', '-E', 'UTF8', '--no-locale', '--no-sync', '--no-instructions'],
      { encoding: 'utf8', env, ...owner },
    )
    if (initdb.status !== 0) throw new Error(`initdb exited with ${initdb.status ?? initdb.signal}: ${(initdb.stderr || String(initdb.error ?? '')).trim().split('\n').slice(-3).join(' | ')}`)
  } catch (error) {
    rmSync(root, { recursive: true, force: true })
    throw new Error(`PostgreSQL ${major} did not initialise: ${error instanceof Error ? error.message : String(error)}`)
  } finally {
    rmSync(passwordFile, { force: true })
  }
  const port = await freePort()
  const flags = ['-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${root}`, '-c', 'fsync=off']
  const child = track(spawn(join(bin, 'postgres'), ['-D', data, ...flags], { stdio: ['ignore', 'ignore', 'pipe'], env, ...owner }))
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk) => {
      remember(chunk)
      if (String(chunk).includes('database system is ready to accept connections')) resolve()
    })
    child.once('exit', (code, signal) => reject(new Error(`exited with ${code ?? signal}`)))
  })
  const stop = async () => {
    await stopChild(child)
    rmSync(root, { recursive: true, force: true })
  }
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([ready, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('not ready after 60 s')), 60_000)))])
  } catch (error) {
    await stop()
    throw new Error(`PostgreSQL ${major} did not start (${error instanceof Error ? error.message : String(error)}): ${log.slice(-5).join(' | ')}`)
  } finally {
    clearTimeout(timer)
  }
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`
  const { default: pgDriver } = await import('pg')
  const client = new pgDriver.Client({ connectionString: url })
  try {
    await client.connect()
    const { rows } = await client.query<{ server_version: string }>('show server_version')
    return { url, version: rows[0]!.server_version, stop }
  } catch (error) {
    await stop()
    throw error
  } finally {
    await client.end().catch(() => {})
  }
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0
}

function uidOf(name: string): number {
  return Number(spawnSync('id', ['-u', name], { encoding: 'utf8' }).stdout.trim())
}

function gidOf(name: string): number {
  return Number(spawnSync('id', ['-g', name], { encoding: 'utf8' }).stdout.trim())
}
