/**
 * A PostgreSQL primary with a hot standby, started by the tests on this machine: the machine's
 * PostgreSQL 15 binaries (/usr/lib/postgresql/15/bin), `initdb` and `pg_basebackup -R`
 * (asynchronous streaming replication), data folders in a temporary folder, loopback ports, run
 * as the `postgres` OS user when the tests run as root. Trust authentication on loopback: a
 * throw-away pair. Failovers as an operator does them: `stop('immediate')` on the primary,
 * `promote()` on the standby; `freeze()` sends SIGSTOP (a hung host), `thaw()` SIGCONT.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './free-port.js'

export const PG15_BIN = '/usr/lib/postgresql/15/bin'

/** Why the pair cannot start here, or undefined when it can. */
export function replicationUnavailable(): string | undefined {
  if (process.env.CI && process.env.CI_TOPOLOGY !== '1') return 'CI runs topology tests on one Node version only (CI_TOPOLOGY=1)'
  if (!existsSync(join(PG15_BIN, 'pg_basebackup'))) return `PostgreSQL 15's server binaries are not in ${PG15_BIN}`
  if (isRoot() && spawnSync('id', ['-u', 'postgres']).status !== 0) return 'running as root without a postgres OS user to run PostgreSQL as'
  return undefined
}

export interface PostgresNode {
  readonly port: number
  readonly dataDir: string
  /** `postgres://postgres@127.0.0.1:<port>/<database>`. */
  url(database?: string): string
  /** `127.0.0.1:<port>`, as messages name it. */
  readonly address: string
  /** The postmaster's process (SIGSTOP/SIGCONT freeze and thaw the server's processes). */
  readonly running: boolean
  start(): Promise<void>
  /** `pg_ctl stop -m <mode>`. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>
  /** `pg_ctl promote`, waiting until it accepts writes. */
  promote(): Promise<void>
  /** SIGSTOP to every process of the server: a host that stops answering but whose kernel still ACKs TCP. */
  freeze(): void
  thaw(): void
  /** Runs SQL with psql; returns its output (unaligned, tuples only). */
  psql(sqlText: string, database?: string): string
}

export interface ReplicatedPair {
  readonly primary: PostgresNode
  readonly standby: PostgresNode
  /** A multi-host URL listing `nodes` in that order. */
  multiHostUrl(database: string, nodes: readonly PostgresNode[], parameters?: string): string
  /** Waits until the standby has replayed everything the primary wrote so far. */
  caughtUp(timeoutMs?: number): Promise<void>
  stop(): Promise<void>
}

const running = new Set<PostgresNode>()
process.once('exit', () => {
  for (const node of running) spawnSync(join(PG15_BIN, 'pg_ctl'), ['-D', node.dataDir, 'stop', '-m', 'immediate'], { ...asServerUser() })
})

/** Starts a primary and a hot standby of it. `settings`: extra `-c` settings for both. */
export async function startReplicatedPair(settings: Record<string, string> = {}): Promise<ReplicatedPair> {
  const root = mkdtempSync(join(tmpdir(), 'artorizer-ha-'))
  chmodSync(root, 0o755)
  const owner = serverUser()
  if (owner) chownSync(root, owner.uid, owner.gid)
  const primary = node(root, 'primary', await freePort(), settings)
  const standby = node(root, 'standby', await freePort(), settings)
  run('initdb', ['-D', primary.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync', '--no-instructions'])
  await primary.start()
  run('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', standby.dataDir, '-R', '-X', 'stream', '--no-sync'])
  await standby.start()
  const pair: ReplicatedPair = {
    primary,
    standby,
    multiHostUrl: (database, nodes, parameters = 'target_session_attrs=read-write') =>
      `postgres://postgres@${nodes.map((n) => n.address).join(',')}/${database}${parameters ? `?${parameters}` : ''}`,
    async caughtUp(timeoutMs = 60_000) {
      const target = primary.psql('select pg_current_wal_lsn()')
      const deadline = Date.now() + timeoutMs
      while (standby.psql(`select pg_last_wal_replay_lsn() >= '${target}'::pg_lsn`) !== 't') {
        if (Date.now() > deadline) throw new Error(`the standby did not replay up to ${target} in ${timeoutMs} ms`)
        await sleep(100)
      }
    },
    async stop() {
      for (const n of [standby, primary]) {
        n.thaw()
        await n.stop('immediate').catch(() => {})
      }
      rmSync(root, { recursive: true, force: true })
    },
  }
  return pair
}

function node(root: string, name: string, port: number, settings: Record<string, string>): PostgresNode {
  const dataDir = join(root, name)
  let child: ChildProcess | undefined
  const flags = [
    '-c', `port=${port}`, '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${root}`,
    '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'max_connections=60', '-c', 'wal_keep_size=512MB',
    ...Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
  ]
  const self: PostgresNode = {
    port,
    dataDir,
    address: `127.0.0.1:${port}`,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null
    },
    async start() {
      child = spawn(join(PG15_BIN, 'postgres'), ['-D', dataDir, ...flags], { stdio: 'ignore', env: { ...process.env, LC_ALL: 'C' }, ...asServerUser() })
      running.add(self)
      const deadline = Date.now() + 60_000
      while (spawnSync(join(PG15_BIN, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)]).status !== 0) {
        if (!self.running) throw new Error(`PostgreSQL ${name} exited on start`)
        if (Date.now() > deadline) throw new Error(`PostgreSQL ${name} not ready after 60 s`)
        await sleep(100)
      }
    },
    async stop(mode = 'fast') {
      if (!self.running) return
      const exited = new Promise((resolve) => child!.once('exit', resolve))
      child!.kill(mode === 'immediate' ? 'SIGQUIT' : 'SIGINT')
      await exited
      running.delete(self)
    },
    async promote() {
      run('pg_ctl', ['-D', dataDir, 'promote', '-w', '-t', '60'])
      while (self.psql('select pg_is_in_recovery()') !== 'f') await sleep(100)
    },
    freeze() {
      for (const pid of processesOf(child?.pid)) process.kill(pid, 'SIGSTOP')
    },
    thaw() {
      for (const pid of processesOf(child?.pid)) process.kill(pid, 'SIGCONT')
    },
    psql(sqlText, database = 'postgres') {
      const result = spawnSync(join(PG15_BIN, 'psql'), ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-c', sqlText], { encoding: 'utf8' })
      if (result.status !== 0) throw new Error(`psql on ${name}: ${result.stderr.trim()}`)
      return result.stdout.trim()
    },
  }
  return self
}

/** The postmaster and its children (backends, walwriter...). */
function processesOf(pid: number | undefined): number[] {
  if (pid === undefined) return []
  const children = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number)
  return [pid, ...children]
}

function run(binary: string, args: string[]): void {
  const result = spawnSync(join(PG15_BIN, binary), args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, ...asServerUser() })
  if (result.status !== 0) throw new Error(`${binary} exited with ${result.status ?? result.signal}: ${(result.stderr || '').trim().split('\n').slice(-3).join(' | ')}`)
}

function serverUser(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined
  return {
    uid: Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim()),
    gid: Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim()),
  }
}

function asServerUser(): { uid?: number; gid?: number } {
  return serverUser() ?? {}
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
