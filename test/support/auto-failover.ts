/**
 * A pg_auto_failover formation started by the tests: a monitor and two PostgreSQL 15 nodes
 * (Debian's `postgresql-15-auto-failover` and `pg-auto-failover-cli`, which `.ci/run` installs),
 * data folders in a temporary folder, loopback ports, trust authentication, run as the
 * `postgres` OS user when the tests run as root, stopped and removed by `stop()`. Its URI is the
 * multi-host one `pg_autoctl show uri` prints (`target_session_attrs=read-write`), and
 * `failover()` is `pg_autoctl perform failover`: what an operator or the monitor itself does.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './free-port.js'
import { PG15_BIN } from './replication.js'

/** Why a formation cannot start here, or undefined when it can. */
export function autoFailoverUnavailable(): string | undefined {
  if (process.env.CI && process.env.CI_TOPOLOGY !== '1') return 'CI runs topology tests on one Node version only (CI_TOPOLOGY=1)'
  if (spawnSync('pg_autoctl', ['--version']).status !== 0) return 'pg_autoctl is not installed (.ci/run installs pg-auto-failover-cli and postgresql-15-auto-failover)'
  if (!existsSync('/usr/lib/postgresql/15/lib/pgautofailover.so')) return "PostgreSQL 15's pgautofailover extension is not installed (postgresql-15-auto-failover)"
  if (isRoot() && spawnSync('id', ['-u', 'postgres']).status !== 0) return 'running as root without a postgres OS user to run PostgreSQL as'
  return undefined
}

export interface Formation {
  /** The formation's multi-host URI for `database`, as `pg_autoctl show uri` gives it, with user `postgres`. */
  uri(database: string): string
  /** Node ports, and the current primary's. */
  readonly ports: readonly number[]
  primaryPort(): number
  /** `pg_autoctl perform failover`, then waits until the old primary is a secondary again. */
  failover(): Promise<void>
  /** Waits until one node is primary and the other secondary, both as assigned. */
  healthy(timeoutMs?: number): Promise<void>
  /** psql on the current primary. */
  psql(sqlText: string, database?: string, port?: number): string
  stop(): Promise<void>
}

export async function startFormation(): Promise<Formation> {
  const root = mkdtempSync(join(tmpdir(), 'artorizer-paf-'))
  chmodSync(root, 0o755)
  const owner = isRoot() ? { uid: idOf('-u'), gid: idOf('-g') } : undefined
  for (const dir of ['', 'config', 'data', 'run']) {
    mkdirSync(join(root, dir), { recursive: true })
    if (owner) chownSync(join(root, dir), owner.uid, owner.gid)
  }
  const env = {
    ...process.env,
    PATH: `${PG15_BIN}:${process.env.PATH}`,
    XDG_CONFIG_HOME: join(root, 'config'),
    XDG_DATA_HOME: join(root, 'data'),
    XDG_RUNTIME_DIR: join(root, 'run'),
    LC_ALL: 'C',
  }
  const children: ChildProcess[] = []
  const monitorPort = await freePort()
  const monitor = `postgres://autoctl_node@127.0.0.1:${monitorPort}/pg_auto_failover?sslmode=disable`
  const autoctl = (args: string[]) => {
    const result = spawnSync('pg_autoctl', args, { encoding: 'utf8', env, ...owner })
    if (result.status !== 0) throw new Error(`pg_autoctl ${args[0]} ${args[1] ?? ''} exited with ${result.status}: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`)
    return result.stdout.trim()
  }
  const runInBackground = (args: string[]) => {
    const log = openSync(join(root, `${args[0]}-${children.length}.log`), 'a')
    if (owner) chownSync(join(root, `${args[0]}-${children.length}.log`), owner.uid, owner.gid)
    const child = spawn('pg_autoctl', args, { stdio: ['ignore', log, log], env, ...owner })
    children.push(child)
  }
  const stop = async () => {
    for (const child of children.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
      await exited
      clearTimeout(timer)
    }
    // A node whose pg_autoctl was killed may leave its postgres running.
    for (const dir of ['node1', 'node2', 'monitor']) {
      if (existsSync(join(root, dir, 'postmaster.pid'))) spawnSync(join(PG15_BIN, 'pg_ctl'), ['-D', join(root, dir), 'stop', '-m', 'immediate'], { env, ...owner })
    }
    if (!process.env.KEEP_FORMATION) rmSync(root, { recursive: true, force: true })
  }
  process.once('exit', () => {
    for (const child of children) child.kill('SIGKILL')
  })
  const ports: number[] = []
  const psql = (sqlText: string, database = 'postgres', port?: number) => {
    const result = spawnSync(join(PG15_BIN, 'psql'), ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port ?? formation.primaryPort()), '-U', 'postgres', '-d', database, '-c', sqlText], { encoding: 'utf8' })
    if (result.status !== 0) throw new Error(`psql: ${result.stderr.trim()}`)
    return result.stdout.trim()
  }
  const monitorQuery = (sqlText: string) => psql(sqlText, 'pg_auto_failover', monitorPort)
  const formation: Formation = {
    ports,
    uri: (database) => {
      // postgres://127.0.0.1:5001,127.0.0.1:5002/postgres?target_session_attrs=read-write&sslmode=disable
      const shown = /^postgres:\/\/([^/]+)\/[^?]*(\?.*)?$/.exec(autoctl(['show', 'uri', '--monitor', monitor, '--formation', 'default']))
      if (!shown) throw new Error('pg_autoctl show uri printed no URI')
      return `postgres://postgres@${shown[1]}/${database}${shown[2] ?? ''}`
    },
    primaryPort: () => Number(monitorQuery("select nodeport from pgautofailover.node where reportedstate = 'primary' and goalstate = 'primary'") || ports[0]),
    async failover() {
      autoctl(['perform', 'failover', '--monitor', monitor])
      await formation.healthy()
    },
    async healthy(timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const states = monitorQuery('select reportedstate || \'/\' || goalstate from pgautofailover.node order by nodeid').split('\n')
        if (states.length === 2 && states.includes('primary/primary') && states.includes('secondary/secondary')) return
        if (Date.now() > deadline) throw new Error(`the formation is not healthy after ${timeoutMs} ms: ${states.join(', ')}`)
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    },
    psql,
    stop,
  }
  try {
    autoctl(['create', 'monitor', '--pgdata', join(root, 'monitor'), '--pgport', String(monitorPort), '--hostname', '127.0.0.1', '--listen', '127.0.0.1', '--auth', 'trust', '--no-ssl'])
    runInBackground(['run', '--pgdata', join(root, 'monitor')])
    await waitForPort(monitorPort)
    for (const name of ['node1', 'node2']) {
      const port = await freePort()
      ports.push(port)
      runInBackground([
        'create', 'postgres', '--pgdata', join(root, name), '--pgport', String(port), '--hostname', '127.0.0.1', '--listen', '127.0.0.1', '--name', name,
        '--monitor', monitor, '--auth', 'trust', '--no-ssl', '--run',
      ])
      // One node at a time: the first becomes the primary, the second its secondary.
      await waitForState(monitorQuery, name === 'node1' ? 1 : 2)
    }
    await formation.healthy()
    return formation
  } catch (error) {
    await stop()
    throw error
  }
}

async function waitForState(query: (sqlText: string) => string, nodes: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    let ready = 0
    try {
      ready = Number(query("select count(*) from pgautofailover.node where reportedstate in ('single', 'primary', 'secondary') and reportedstate = goalstate"))
    } catch {
      // the monitor's schema is not there yet
    }
    if (ready >= nodes) return
    if (Date.now() > deadline) throw new Error(`the formation did not reach ${nodes} nodes in ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

async function waitForPort(port: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (spawnSync(join(PG15_BIN, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)]).status !== 0) {
    if (Date.now() > deadline) throw new Error(`nothing answers on ${port} after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

function idOf(flag: '-u' | '-g'): number {
  return Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim())
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0
}
