/**
 * The query parameters a `DATABASE_URL` may carry, per engine, and what they mean.
 *
 * Failing closed: the module reads every parameter itself and refuses (a usage error) any it
 * does not understand, so that a setting meant for security is never dropped on the floor. The
 * drivers are handed explicit options, never the URL (pg would print its multi-line SECURITY
 * WARNING about `sslmode`; mysql2 would crash on `?ssl=true` and ignore `?sslmode=require`).
 *
 * PostgreSQL, libpq's names (https://www.postgresql.org/docs/current/libpq-connect.html):
 * - `sslmode`: `disable`, `require` (encrypted; the certificate is not checked unless
 *   `sslrootcert` is given, then as `verify-ca`, as libpq does), `verify-ca` (signed by the CA
 *   of `sslrootcert`), `verify-full` (signed by it, or by a CA Node trusts when `sslrootcert` is
 *   absent or `system`, and naming the host). `prefer` and `allow` may fall back to plaintext and
 *   are refused.
 * - `sslrootcert`, `sslcert`, `sslkey`: PEM files (the CA; a client certificate and its key).
 * - `host` (a host name, or a Unix socket folder such as `/var/run/postgresql`; libpq's
 *   comma-separated list of hosts to try in order), `port` (one, or one per host), `user`,
 *   `application_name`, `connect_timeout` (seconds, per host tried).
 * - `target_session_attrs`: which kind of server a session must reach (see `session-attrs.ts`).
 *
 * MySQL / MariaDB, the `mysql` client's names (`ssl_mode` and the like are accepted too):
 * - `ssl-mode`: `DISABLED`, `REQUIRED` (as `sslmode=require`), `VERIFY_CA` (needs `ssl-ca`),
 *   `VERIFY_IDENTITY` (as `verify-full`). `PREFERRED` may fall back to plaintext and is refused.
 * - `ssl-ca`, `ssl-cert`, `ssl-key`: PEM files.
 * - `connect_timeout` (seconds).
 */
import { isIP } from 'node:net'
import { UsageError } from '../errors.js'
import { readTargetSessionAttrs, type TargetSessionAttrs } from './session-attrs.js'

/**
 * How much of the server's certificate is checked: `none` (encrypted only; anyone in the path
 * can pose as the server), `ca` (signed by the trusted CA), `full` (signed, and naming the host).
 */
export type TlsVerification = 'none' | 'ca' | 'full'

/** TLS as a URL asks for it. The connection is encrypted or it fails: never plaintext. */
export interface TlsSettings {
  readonly verify: TlsVerification
  /** A PEM file of the CA(s) to trust; undefined: the CAs Node trusts (Mozilla's list). */
  readonly caFile: string | undefined
  /** A client certificate and its key (PEM files), for servers that ask for one. */
  readonly certFile: string | undefined
  readonly keyFile: string | undefined
}

/** What the parameters of one URL say. */
export interface ConnectionParameters {
  /** The first of {@link hosts}. */
  readonly host: string | undefined
  /** libpq's `host=a,b`: every host to try, in order; undefined when the parameter is absent. */
  readonly hosts: readonly string[] | undefined
  /** PostgreSQL's `user` parameter (libpq's), for URLs without a user part: `postgres:///db?host=/run/postgresql&user=app`. */
  readonly user: string | undefined
  /** The first of {@link ports}. */
  readonly port: number | undefined
  /** libpq's `port=5432,5433`: one port for every host, or one per host (an empty entry: the default port). */
  readonly ports: readonly (number | undefined)[] | undefined
  readonly tls: TlsSettings | undefined
  readonly connectTimeoutMs: number | undefined
  readonly applicationName: string | undefined
  /** libpq's `target_session_attrs`; undefined when absent (libpq's default, `any`). */
  readonly targetSessionAttrs: TargetSessionAttrs | undefined
}

/** How long to wait for a connection to the database (TCP, TLS and the handshake), by default. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000

/** The longest `connect_timeout` accepted: a connect timeout is always bounded. */
export const MAX_CONNECT_TIMEOUT_SECONDS = 3600

interface Vocabulary {
  /** Parameter names as the engine's own tools spell them, to list in messages. */
  readonly names: readonly string[]
  /** A parameter's canonical name, or undefined when it is not one of `names`. */
  canonical(name: string): string | undefined
  /** A hint for a name that belongs to the other engine. */
  readonly foreign: Readonly<Record<string, string>>
}

const POSTGRES: Vocabulary = {
  names: ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'host', 'port', 'user', 'connect_timeout', 'application_name', 'target_session_attrs'],
  canonical: (name) => (POSTGRES.names.includes(name) ? name : undefined),
  foreign: {
    ssl: 'use sslmode=verify-full (with sslrootcert=<CA file> for a private CA) or sslmode=require',
    'ssl-mode': "ssl-mode is MySQL's; use sslmode=verify-full (with sslrootcert=<CA file>) or sslmode=require",
    'ssl-ca': "ssl-ca is MySQL's; use sslrootcert=<CA file>",
  },
}

const MYSQL: Vocabulary = {
  names: ['ssl-mode', 'ssl-ca', 'ssl-cert', 'ssl-key', 'connect_timeout'],
  canonical: (name) => {
    const dashed = name.toLowerCase().replace(/_/g, '-')
    if (dashed === 'connect-timeout') return 'connect_timeout'
    return MYSQL.names.includes(dashed) ? dashed : undefined
  },
  foreign: {
    ssl: 'use ssl-mode=VERIFY_IDENTITY (with ssl-ca=<CA file> for a private CA) or ssl-mode=REQUIRED',
    sslmode: "sslmode is PostgreSQL's; use ssl-mode=VERIFY_IDENTITY (with ssl-ca=<CA file>) or ssl-mode=REQUIRED",
    sslrootcert: "sslrootcert is PostgreSQL's; use ssl-ca=<CA file>",
    target_session_attrs: 'target_session_attrs is PostgreSQL\'s: a MySQL/MariaDB URL takes one host (put a proxy such as MySQL Router or MaxScale in front of a replicated set)',
    host: 'a MySQL/MariaDB URL takes one host, in the URL itself (mysql://user:pass@host:3306/db)',
  },
}

/**
 * Reads a URL's query parameters for `engine`.
 *
 * @throws {UsageError} naming the parameter (never its value, which could be a password) when
 *   it is unknown, repeated, or holds a value the module does not understand.
 */
export function readConnectionParameters(params: URLSearchParams, engine: 'postgres' | 'mysql', host?: string): ConnectionParameters {
  const vocabulary = engine === 'postgres' ? POSTGRES : MYSQL
  const values = new Map<string, string>()
  for (const [name, value] of params) {
    const canonical = vocabulary.canonical(name)
    if (!canonical) {
      const hint = vocabulary.foreign[name.toLowerCase()] ?? `the parameters understood are ${vocabulary.names.join(', ')}`
      throw new UsageError(`DATABASE_URL parameter "${name}" is not understood for ${engine === 'postgres' ? 'PostgreSQL' : 'MySQL/MariaDB'}; ${hint} (docs/connection.md, "TLS")`)
    }
    if (values.has(canonical)) throw new UsageError(`DATABASE_URL gives the parameter "${name}" twice; keep one`)
    values.set(canonical, value)
  }
  const tls = engine === 'postgres' ? postgresTls(values) : mysqlTls(values)
  if (engine === 'mysql' && tls?.verify === 'full' && host !== undefined && isIP(host) !== 0) {
    // mysql2 compares the certificate with the host only for a host name: for an IP address it
    // checks none (Node then compares with "localhost"), so VERIFY_IDENTITY would not hold.
    throw new UsageError('DATABASE_URL has ssl-mode=VERIFY_IDENTITY with an IP address, which the MySQL driver cannot check against the certificate; connect to the host name the certificate names, or use ssl-mode=VERIFY_CA')
  }
  const hosts = hostList(values.get('host'))
  const ports = portList(values.get('port'))
  return {
    host: hosts?.[0],
    hosts,
    user: values.get('user') || undefined,
    port: ports?.[0],
    ports,
    tls,
    connectTimeoutMs: connectTimeout(values.get('connect_timeout')),
    applicationName: values.get('application_name'),
    targetSessionAttrs: readTargetSessionAttrs(values.get('target_session_attrs')),
  }
}

/** libpq's `host` parameter: one host or a comma-separated list; empty means "not given". */
function hostList(raw: string | undefined): string[] | undefined {
  if (!raw) return undefined
  const hosts = raw.split(',').map((host) => host.trim())
  if (hosts.some((host) => !host)) throw new UsageError('DATABASE_URL parameter "host" has an empty entry in its list; write host=host1,host2 with no empty name')
  return hosts
}

/** libpq's `port` parameter: one port or a comma-separated list (an empty entry: the default port). */
export function portList(raw: string | undefined): (number | undefined)[] | undefined {
  if (raw === undefined) return undefined
  return raw.split(',').map((port) => (port.trim() === '' ? undefined : wholeNumber('port', port.trim(), 1, 65535)))
}

function postgresTls(values: ReadonlyMap<string, string>): TlsSettings | undefined {
  const mode = values.get('sslmode')
  const files = fileParameters(values, 'sslrootcert', 'sslcert', 'sslkey')
  switch (mode) {
    case undefined:
      if (files.given) throw new UsageError(`DATABASE_URL gives ${files.given} without sslmode; add sslmode=verify-full (or verify-ca, require)`)
      return undefined
    case 'disable':
      if (files.given) throw new UsageError(`DATABASE_URL gives ${files.given} with sslmode=disable; remove one of them`)
      return undefined
    case 'require':
      return { ...files.tls, verify: files.tls.caFile ? 'ca' : 'none' }
    case 'verify-ca':
      if (!files.tls.caFile) throw new UsageError('DATABASE_URL has sslmode=verify-ca but no sslrootcert; give the CA file as sslrootcert=<file>, or use sslmode=verify-full')
      return { ...files.tls, verify: 'ca' }
    case 'verify-full':
      return { ...files.tls, verify: 'full' }
    case 'prefer':
    case 'allow':
      throw new UsageError(`DATABASE_URL has sslmode=${mode}, which falls back to plaintext; use sslmode=verify-full (or require), or sslmode=disable`)
    default:
      throw new UsageError('DATABASE_URL has an unknown sslmode; use disable, require, verify-ca or verify-full')
  }
}

function mysqlTls(values: ReadonlyMap<string, string>): TlsSettings | undefined {
  const mode = values.get('ssl-mode')?.toUpperCase()
  const files = fileParameters(values, 'ssl-ca', 'ssl-cert', 'ssl-key')
  switch (mode) {
    case undefined:
      if (files.given) throw new UsageError(`DATABASE_URL gives ${files.given} without ssl-mode; add ssl-mode=VERIFY_IDENTITY (or VERIFY_CA, REQUIRED)`)
      return undefined
    case 'DISABLED':
      if (files.given) throw new UsageError(`DATABASE_URL gives ${files.given} with ssl-mode=DISABLED; remove one of them`)
      return undefined
    case 'REQUIRED':
      return { ...files.tls, verify: files.tls.caFile ? 'ca' : 'none' }
    case 'VERIFY_CA':
      if (!files.tls.caFile) throw new UsageError('DATABASE_URL has ssl-mode=VERIFY_CA but no ssl-ca; give the CA file as ssl-ca=<file>, or use ssl-mode=VERIFY_IDENTITY')
      return { ...files.tls, verify: 'ca' }
    case 'VERIFY_IDENTITY':
      return { ...files.tls, verify: 'full' }
    case 'PREFERRED':
      throw new UsageError('DATABASE_URL has ssl-mode=PREFERRED, which falls back to plaintext; use ssl-mode=VERIFY_IDENTITY (or REQUIRED), or ssl-mode=DISABLED')
    default:
      throw new UsageError('DATABASE_URL has an unknown ssl-mode; use DISABLED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY')
  }
}

function fileParameters(values: ReadonlyMap<string, string>, ca: string, cert: string, key: string): { given: string | undefined; tls: Omit<TlsSettings, 'verify'> } {
  const named = [ca, cert, key].filter((name) => values.has(name))
  for (const name of named) if (!values.get(name)) throw new UsageError(`DATABASE_URL parameter "${name}" is empty; give a file`)
  if (values.has(cert) !== values.has(key)) throw new UsageError(`DATABASE_URL gives only one of ${cert} and ${key}; a client certificate needs both`)
  // libpq's `sslrootcert=system`: the CAs the platform trusts, which for Node is its own list.
  const caFile = values.get(ca) === 'system' ? undefined : values.get(ca)
  return { given: named.length > 0 ? named.join(', ') : undefined, tls: { caFile, certFile: values.get(cert), keyFile: values.get(key) } }
}

function connectTimeout(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  return wholeNumber('connect_timeout', raw, 1, MAX_CONNECT_TIMEOUT_SECONDS, ' (seconds)') * 1000
}

function wholeNumber(name: string, raw: string, minimum: number, maximum: number, unit = ''): number {
  const value = Number(raw)
  if (!/^\d+$/.test(raw) || value < minimum || value > maximum) {
    throw new UsageError(`DATABASE_URL parameter "${name}" must be a whole number from ${minimum} to ${maximum}${unit}`)
  }
  return value
}
