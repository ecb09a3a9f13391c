/**
 * Private database servers for tests and benchmarks that need a server configured their own way
 * (TLS on, the log on another device): a PostgreSQL made by `initdb` into a temporary folder
 * with the machine's `/usr/lib/postgresql/15/bin` (as the `postgres` OS user when run as root),
 * and a MariaDB made by `mariadb-install-db`, then `mariadbd --no-defaults`, each on a loopback
 * port of its own. `stop()` ends the server and removes its folders.
 *
 * What each server is started with beyond its folders and port is the caller's: `settings`
 * (`-c name=value` for PostgreSQL), `args` (`--name=value` for MariaDB). `prepare` runs after the
 * folder exists and before the server starts, for files the server must read as its own user;
 * it returns the settings (or arguments) that name them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chownSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './free-port.js'

export const PG_BIN = process.env.TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin'
export const MARIADBD = '/usr/sbin/mariadbd'

/** A server of its own: its port, a URL for a database on it, and how to stop it. */
export interface PrivateServer {
  readonly port: number
  /** The server's own folder (its data folder is `data` in it). */
  readonly root: string
  /** A URL for `host` (`localhost` or `127.0.0.1`) naming `database`: user `postgres` or `root`, no password. */
  url(host: string, database: string): string
  stop(): Promise<void>
}

/** The uid and gid a server runs as when started by root, or undefined when not root. */
export interface ServerOwner {
  readonly uid: number
  readonly gid: number
}

export interface PrivatePostgresOptions {
  /** Names the temporary folder (`artorizer-<name>-…`) and the server in errors. */
  readonly name: string
  /** More `initdb` arguments, e.g. `--waldir=…`. */
  readonly initdbArgs?: readonly string[]
  /** Folders outside the server's own that it uses (removed by `stop`), e.g. its `--waldir`. */
  readonly folders?: readonly string[]
  /** `-c name=value` settings. */
  readonly settings?: Readonly<Record<string, string | number>>
  /** Puts files in the server's folder; returns more settings, naming them. */
  readonly prepare?: (root: string, owner: ServerOwner | undefined) => Readonly<Record<string, string | number>>
}

/** A private PostgreSQL trusting every loopback connection, user `postgres`. */
export async function startPrivatePostgres(options: PrivatePostgresOptions): Promise<PrivateServer> {
  const owner = process.getuid?.() === 0 ? ids('postgres') : undefined
  const root = mkdtempSync(join(tmpdir(), `artorizer-${options.name}-`))
  const data = join(root, 'data')
  if (owner) chownSync(root, owner.uid, owner.gid)
  const prepared = options.prepare?.(root, owner)
  const folders = [root, ...(options.folders ?? [])]
  try {
    await run(`${PG_BIN}/initdb`, ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '--no-instructions', '-E', 'UTF8', ...(options.initdbArgs ?? [])], owner)
  } catch (error) {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true })
    throw error
  }
  const port = await freePort()
  const settings: Record<string, string | number> = { port, listen_addresses: '127.0.0.1', unix_socket_directories: root, logging_collector: 'off', ...options.settings, ...prepared }
  const child = spawn(`${PG_BIN}/postgres`, ['-D', data, ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])], {
    stdio: ['ignore', 'ignore', 'pipe'],
    ...owner,
  })
  let log = ''
  child.stderr!.on('data', (chunk) => (log = (log + chunk).slice(-2000)))
  const stop = stopper(child, folders)
  try {
    await waitFor(`the ${options.name} PostgreSQL`, () => spawnSync(`${PG_BIN}/pg_isready`, ['-q', '-h', '127.0.0.1', '-p', String(port)]).status === 0, child, () => log)
  } catch (error) {
    await stop()
    throw error
  }
  return { port, root, url: (host, database) => `postgres://postgres@${host}:${port}/${database}`, stop }
}

export interface PrivateMariadbOptions {
  readonly name: string
  /** More `mariadbd` options, passed to `mariadb-install-db` too (where the log lives must agree). */
  readonly args?: readonly string[]
  /** Folders outside the server's own that it uses (removed by `stop`, owned by `mysql` under root). */
  readonly folders?: readonly string[]
  /** Puts files in the server's folder; returns more `mariadbd` options, naming them. */
  readonly prepare?: (root: string, owner: ServerOwner | undefined) => readonly string[]
}

/** A private MariaDB, user `root` without a password from loopback. */
export async function startPrivateMariadb(options: PrivateMariadbOptions): Promise<PrivateServer> {
  const owner = process.getuid?.() === 0 ? ids('mysql') : undefined
  const root = mkdtempSync(join(tmpdir(), `artorizer-${options.name}-`))
  const data = join(root, 'data')
  const folders = [root, ...(options.folders ?? [])]
  if (owner) for (const folder of folders) chownSync(folder, owner.uid, owner.gid)
  const user = owner ? ['--user=mysql'] : []
  const args = [...(options.args ?? []), ...(options.prepare?.(root, owner) ?? [])]
  try {
    await run('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, ...user, '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve', ...args])
  } catch (error) {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true })
    throw error
  }
  const port = await freePort()
  const socket = join(root, 'mysqld.sock')
  const child = spawn(
    MARIADBD,
    [
      '--no-defaults',
      ...user,
      `--datadir=${data}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${socket}`,
      `--pid-file=${join(root, 'mysqld.pid')}`,
      '--skip-name-resolve',
      '--skip-log-bin',
      '--character-set-server=utf8mb4',
      ...args,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let log = ''
  child.stderr!.on('data', (chunk) => (log = (log + chunk).slice(-2000)))
  const stop = stopper(child, folders)
  try {
    await waitFor(`the ${options.name} MariaDB`, () => spawnSync('mariadb-admin', [`--socket=${socket}`, '-uroot', '--silent', 'ping'], { stdio: 'ignore' }).status === 0, child, () => log)
    // root@localhost only after install: let TCP from loopback in as root too (no password, private server).
    const grant = spawnSync('mariadb', [`--socket=${socket}`, '-uroot', '-e', "create user if not exists 'root'@'127.0.0.1'; grant all on *.* to 'root'@'127.0.0.1' with grant option"], { encoding: 'utf8' })
    if (grant.status !== 0) throw new Error(`could not grant root@127.0.0.1: ${grant.stderr}`)
  } catch (error) {
    await stop()
    throw error
  }
  return { port, root, url: (host, database) => `mysql://root@${host}:${port}/${database}`, stop }
}

function run(command: string, args: string[], options: { uid?: number; gid?: number } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...options })
    let stderr = ''
    child.stderr!.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${stderr.slice(-800)}`))))
  })
}

function ids(user: string): ServerOwner {
  const uid = Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim())
  const gid = Number(spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout.trim())
  return { uid, gid }
}

async function waitFor(what: string, ready: () => Promise<boolean> | boolean, child: ChildProcess, log: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await ready())) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}) while starting: ${log()}`)
    if (Date.now() > deadline) throw new Error(`${what} did not start within ${timeoutMs / 1000} s: ${log()}`)
    await new Promise((resolve) => setTimeout(resolve, 150))
  }
}

function stopper(child: ChildProcess, folders: string[]): () => Promise<void> {
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  process.once('exit', kill)
  return async () => {
    process.removeListener('exit', kill)
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM') // a fast shutdown for both servers
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
    for (const folder of folders) rmSync(folder, { recursive: true, force: true })
  }
}
