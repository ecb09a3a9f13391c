/**
 * Private database servers with TLS on, for the TLS tests: a PostgreSQL 15 (`initdb` into a
 * temporary folder with the machine's `/usr/lib/postgresql/15/bin`, as the `postgres` OS user
 * when run as root) and a MariaDB (`mariadb-install-db`, then `mariadbd --no-defaults`), each on
 * a loopback port of its own, with a certificate signed by a throw-away CA made with `openssl`.
 * `stop()` ends the server and removes its folder.
 *
 * The server certificate names `localhost` only (no IP address): connecting to `localhost`
 * passes a full check, connecting to `127.0.0.1` (the same server) fails the host name check but
 * passes a CA-only one. Startup is kept short: no fsync, small buffers, no test database.
 *
 * Gated like other heavy software: it runs when `CI_TOPOLOGY=1` (CI sets it for one Node version
 * only), or outside CI when the software is installed; otherwise suites skip with the reason.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const PG_BIN = process.env.TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin'
const MARIADBD = '/usr/sbin/mariadbd'

function hasCommand(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).error === undefined
}

/** Why TLS servers cannot be started here, or undefined when they can. */
export function tlsServersUnavailableReason(): string | undefined {
  if (process.env.CI_TOPOLOGY === '1') return undefined // CI installed it: a missing piece must fail
  if (process.env.CI) return 'topology suites run in CI only with CI_TOPOLOGY=1 (one Node version)'
  const missing = [`${PG_BIN}/initdb`, `${PG_BIN}/postgres`, MARIADBD].filter((file) => !existsSync(file))
  if (missing.length > 0) return `${missing.join(', ')} not installed (apt-get install postgresql-15 mariadb-server)`
  if (!hasCommand('openssl')) return 'openssl not installed'
  if (!hasCommand('mariadb-install-db')) return 'mariadb-install-db not found'
  if (process.getuid?.() === 0 && !userExists('postgres')) return 'running as root without a postgres OS user to run initdb as'
  return undefined
}

function userExists(name: string): boolean {
  return spawnSync('id', ['-u', name], { stdio: 'ignore' }).status === 0
}

/** The files of a throw-away CA and of a server certificate it signed for `localhost`. */
export interface TestCertificates {
  readonly dir: string
  readonly caFile: string
  /** A CA that signed nothing here: verification against it must fail. */
  readonly otherCaFile: string
  readonly serverCert: string
  readonly serverKey: string
}

function openssl(args: string[], cwd: string): void {
  const result = spawnSync('openssl', args, { cwd, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`)
}

/** Makes a CA and a server certificate (SAN `DNS:localhost` only) in a new folder. */
export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'artorizer-tls-'))
  const ca = (name: string) => openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=artorizer test ${name}`], dir)
  ca('ca')
  ca('other-ca')
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir)
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n')
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext'], dir)
  chmodSync(dir, 0o755)
  chmodSync(join(dir, 'server.key'), 0o600)
  return { dir, caFile: join(dir, 'ca.pem'), otherCaFile: join(dir, 'other-ca.pem'), serverCert: join(dir, 'server.pem'), serverKey: join(dir, 'server.key') }
}

export interface TlsServer {
  readonly port: number
  /** A URL without TLS parameters, for `host` (`localhost` or `127.0.0.1`), naming `database`. */
  url(host: string, database: string): string
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
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

function ids(user: string): { uid: number; gid: number } {
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

/** A private PostgreSQL with `ssl=on`, trusting every loopback connection, user `postgres`. */
export async function startTlsPostgres(certs: TestCertificates): Promise<TlsServer> {
  const asRoot = process.getuid?.() === 0
  const owner = asRoot ? ids('postgres') : undefined
  const root = mkdtempSync(join(tmpdir(), 'artorizer-tls-pg-'))
  const data = join(root, 'data')
  // The server reads its key as its own user, and refuses a key others may read.
  const key = join(root, 'server.key')
  writeFileSync(key, spawnSync('cat', [certs.serverKey], { encoding: 'utf8' }).stdout, { mode: 0o600 })
  if (owner) {
    chownSync(root, owner.uid, owner.gid)
    chownSync(key, owner.uid, owner.gid)
  }
  await run(`${PG_BIN}/initdb`, ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '--no-instructions', '-E', 'UTF8'], owner)
  const port = await freePort()
  const child = spawn(
    `${PG_BIN}/postgres`,
    [
      '-D', data,
      '-c', `port=${port}`,
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `unix_socket_directories=${root}`,
      '-c', 'ssl=on',
      '-c', `ssl_cert_file=${certs.serverCert}`,
      '-c', `ssl_key_file=${key}`,
      '-c', 'fsync=off',
      '-c', 'shared_buffers=16MB',
      '-c', 'max_connections=30',
      '-c', `logging_collector=off`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], ...owner },
  )
  let log = ''
  child.stderr!.on('data', (chunk) => (log = (log + chunk).slice(-2000)))
  const stop = stopper(child, [root])
  try {
    await waitFor('the TLS PostgreSQL', () => spawnSync(`${PG_BIN}/pg_isready`, ['-q', '-h', '127.0.0.1', '-p', String(port)]).status === 0, child, () => log)
  } catch (error) {
    await stop()
    throw error
  }
  return { port, url: (host, database) => `postgres://postgres@${host}:${port}/${database}`, stop }
}

/** A private MariaDB with TLS (`ssl_cert`, `ssl_key`, `ssl_ca`), user `root` without a password. */
export async function startTlsMariadb(certs: TestCertificates): Promise<TlsServer> {
  const asRoot = process.getuid?.() === 0
  const root = mkdtempSync(join(tmpdir(), 'artorizer-tls-maria-'))
  const data = join(root, 'data')
  const key = join(root, 'server.key')
  writeFileSync(key, spawnSync('cat', [certs.serverKey], { encoding: 'utf8' }).stdout, { mode: 0o600 })
  if (asRoot) {
    const owner = ids('mysql')
    chownSync(root, owner.uid, owner.gid)
    chownSync(key, owner.uid, owner.gid)
  }
  const user = asRoot ? ['--user=mysql'] : []
  await run('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, ...user, '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve'])
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
      `--ssl-cert=${certs.serverCert}`,
      `--ssl-key=${key}`,
      `--ssl-ca=${certs.caFile}`,
      '--innodb-buffer-pool-size=16M',
      '--innodb-log-file-size=16M',
      '--innodb-flush-log-at-trx-commit=0',
      '--performance-schema=OFF',
      '--skip-log-bin',
      '--character-set-server=utf8mb4',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let log = ''
  child.stderr!.on('data', (chunk) => (log = (log + chunk).slice(-2000)))
  const stop = stopper(child, [root])
  try {
    await waitFor('the TLS MariaDB', () => spawnSync('mariadb-admin', [`--socket=${socket}`, '-uroot', '--silent', 'ping'], { stdio: 'ignore' }).status === 0, child, () => log)
    // root@localhost only after install: let TCP from loopback in as root too (no password, private server).
    const grant = spawnSync('mariadb', [`--socket=${socket}`, '-uroot', '-e', "create user if not exists 'root'@'127.0.0.1'; grant all on *.* to 'root'@'127.0.0.1' with grant option"], { encoding: 'utf8' })
    if (grant.status !== 0) throw new Error(`could not grant root@127.0.0.1: ${grant.stderr}`)
  } catch (error) {
    await stop()
    throw error
  }
  return { port, url: (host, database) => `mysql://root@${host}:${port}/${database}`, stop }
}
