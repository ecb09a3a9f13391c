/**
 * Private database servers with TLS on, for the TLS tests: a PostgreSQL 15 (`initdb` into a
 * temporary folder with the machine's `/usr/lib/postgresql/15/bin`, as the `postgres` OS user
 * when run as root) and a MariaDB (`mariadb-install-db`, then `mariadbd --no-defaults`), each on
 * a loopback port of its own (`private-servers.ts`), with a certificate signed by a throw-away CA made with `openssl`.
 * `stop()` ends the server and removes its folder.
 *
 * The server certificate names `localhost` only (no IP address): connecting to `localhost`
 * passes a full check, connecting to `127.0.0.1` (the same server) fails the host name check but
 * passes a CA-only one. Startup is kept short: no fsync, small buffers, no test database.
 *
 * Gated like other heavy software: it runs when `CI_TOPOLOGY=1` (CI sets it for one Node version
 * only), or outside CI when the software is installed; otherwise suites skip with the reason.
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MARIADBD, PG_BIN, startPrivateMariadb, startPrivatePostgres, type PrivateServer, type ServerOwner } from './private-servers.js'


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

export type TlsServer = PrivateServer

/** Copies the server key into the server's folder: the server reads it as its own user, and refuses a key others may read. */
function copyKey(certs: TestCertificates, root: string, owner: ServerOwner | undefined): string {
  const key = join(root, 'server.key')
  writeFileSync(key, readFileSync(certs.serverKey), { mode: 0o600 })
  if (owner) chownSync(key, owner.uid, owner.gid)
  return key
}

/** A private PostgreSQL with `ssl=on`, trusting every loopback connection, user `postgres`. */
export async function startTlsPostgres(certs: TestCertificates): Promise<TlsServer> {
  return startPrivatePostgres({
    name: 'tls-pg',
    settings: { ssl: 'on', ssl_cert_file: certs.serverCert, fsync: 'off', shared_buffers: '16MB', max_connections: 30 },
    prepare: (root, owner) => ({ ssl_key_file: copyKey(certs, root, owner) }),
  })
}

/** A private MariaDB with TLS (`ssl_cert`, `ssl_key`, `ssl_ca`), user `root` without a password. */
export async function startTlsMariadb(certs: TestCertificates): Promise<TlsServer> {
  return startPrivateMariadb({
    name: 'tls-maria',
    args: [
      `--ssl-cert=${certs.serverCert}`,
      `--ssl-ca=${certs.caFile}`,
      '--innodb-buffer-pool-size=16M',
      '--innodb-log-file-size=16M',
      '--innodb-flush-log-at-trx-commit=0',
      '--performance-schema=OFF',
    ],
    prepare: (root, owner) => [`--ssl-key=${copyKey(certs, root, owner)}`],
  })
}
