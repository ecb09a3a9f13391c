import { UsageError } from '../errors.js'
import { readConnectionParameters, type TlsSettings } from './parameters.js'

export type { TlsSettings, TlsVerification } from './parameters.js'

/** The SQL families this module writes for. PGlite speaks PostgreSQL. */
export type SqlDialect = 'postgres' | 'mysql'

/**
 * How to reach a database server, read from its URL once: every driver option the module sets
 * comes from here, so that a URL means the same to every driver (and no driver is handed the
 * raw URL to read in its own way, which is how `?ssl=true` crashed mysql2 and `?sslmode=require`
 * was ignored by it).
 */
export interface ServerConnection {
  /** A host name or IP address, or (PostgreSQL) the folder of a Unix socket: starts with `/`. */
  readonly host: string
  /** Undefined: the engine's default port (5432, 3306). */
  readonly port: number | undefined
  /** Undefined: the driver's default (PostgreSQL: `PGUSER`, else the OS user). */
  readonly user: string | undefined
  readonly password: string | undefined
  readonly database: string
  /** Undefined: plaintext. Otherwise the connection is encrypted or refused, never plaintext. */
  readonly tls: TlsSettings | undefined
  /**
   * Give up connecting after this long. From the URL's `connect_timeout` (seconds) when parsed;
   * `connectDatabase` fills in the one it uses (see `resolveConnectTimeout`).
   */
  readonly connectTimeoutMs: number | undefined
  /** PostgreSQL's `application_name`, shown in `pg_stat_activity`. */
  readonly applicationName?: string
}

/**
 * Where the database is, parsed from a `DATABASE_URL`.
 *
 * - `postgres://` / `postgresql://` → PostgreSQL through `pg` (also `postgres:///db?host=/run/postgresql`)
 * - `mysql://` (also `mariadb://`) → MySQL or MariaDB through `mysql2`
 * - `pglite:<folder>` → embedded PostgreSQL (PGlite) persisted in a folder
 * - `pglite:memory` → embedded PostgreSQL that lives only as long as the process
 */
export type DatabaseTarget =
  | { readonly kind: 'postgres'; readonly url: string; readonly connection: ServerConnection }
  | { readonly kind: 'mysql'; readonly url: string; readonly connection: ServerConnection }
  | { readonly kind: 'pglite'; readonly dataDir: string | undefined }

/** The folder of the embedded database when no `DATABASE_URL` is set. */
export const DEFAULT_PGLITE_DIR = './.data/pglite'

/**
 * Parses a `DATABASE_URL`. `undefined` or an empty string selects the embedded default.
 *
 * @throws {UsageError} with a one-line message (never containing the password) when the
 *   URL is malformed, names a scheme this module does not support, or carries a parameter it
 *   does not understand (see `url-parameters.ts`: a TLS setting is never ignored).
 */
export function parseDatabaseUrl(raw: string | undefined): DatabaseTarget {
  const value = raw?.trim()
  if (!value) return { kind: 'pglite', dataDir: DEFAULT_PGLITE_DIR }

  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase()
  if (scheme === 'pglite') {
    const location = value.slice('pglite:'.length).replace(/^\/\//, '')
    if (location === 'memory' || location === ':memory:') return { kind: 'pglite', dataDir: undefined }
    return { kind: 'pglite', dataDir: location || DEFAULT_PGLITE_DIR }
  }

  let url: URL
  try {
    url = parseUrl(value)
  } catch {
    throw new UsageError(
      'DATABASE_URL is not a valid URL; use postgres://user:pass@host:5432/db, mysql://user:pass@host:3306/db or pglite:<folder>',
    )
  }
  switch (scheme) {
    case 'postgres':
    case 'postgresql':
      return { kind: 'postgres', url: value, connection: serverConnection(url, 'postgres') }
    case 'mysql':
    case 'mariadb':
      return { kind: 'mysql', url: value.replace(/^mariadb:/i, 'mysql:'), connection: serverConnection(url, 'mysql') }
    default:
      throw new UsageError(
        `DATABASE_URL scheme "${scheme ?? ''}" is not supported; use postgres://, mysql:// or pglite:<folder>`,
      )
  }
}

/** The SQL family a target speaks. */
export function sqlDialectOf(target: DatabaseTarget): SqlDialect {
  return target.kind === 'mysql' ? 'mysql' : 'postgres'
}

/** A printable form of the target with any password replaced by `***`. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === 'pglite') return `pglite:${target.dataDir ?? 'memory'}`
  return redactUrl(target.url)
}

/** `host:port` of a server target as messages name it (a socket folder stands for itself). */
export function describeAddress(connection: ServerConnection, defaultPort: number): string {
  if (connection.host.startsWith('/')) return `${connection.host}/.s.PGSQL.${connection.port ?? defaultPort}`
  const host = connection.host.includes(':') ? `[${connection.host}]` : connection.host
  return `${host}:${connection.port ?? defaultPort}`
}

/** Replaces the password of a URL (and any `password=` query parameter) with `***`. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value)
    if (url.password) url.password = '***'
    for (const key of [...url.searchParams.keys()]) {
      if (/pass/i.test(key)) url.searchParams.set(key, '***')
    }
    return url.toString()
  } catch {
    return value.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@')
  }
}

function serverConnection(url: URL, kind: SqlDialect): ServerConnection {
  // libpq's forms: the host in the URL, a `host` parameter (which wins), or a percent-encoded
  // socket folder as the host (`postgres://%2Fvar%2Frun%2Fpostgresql/db`).
  const hostname = decodePart(url.hostname === NO_HOST ? '' : url.hostname.replace(/^\[(.*)\]$/, '$1'), 'host')
  const parameters = readConnectionParameters(url.searchParams, kind, url.searchParams.get('host') || hostname)
  const host = parameters.host ?? hostname
  const database = decodePart(url.pathname.replace(/^\//, ''), 'database name')
  if (!host) {
    const socket = kind === 'postgres' ? ', or name a Unix socket folder with ?host=/var/run/postgresql' : ''
    throw new UsageError(`DATABASE_URL has no host; write it as ${url.protocol}//user:pass@host:port/database${socket}`)
  }
  if (!database) {
    throw new UsageError(`DATABASE_URL names no database; add it after the host, as ${url.protocol}//user:pass@host:port/database`)
  }
  if (host.startsWith('/') && parameters.tls) {
    throw new UsageError('DATABASE_URL asks for TLS over a Unix socket, which PostgreSQL does not offer; connect to a host and port instead, or drop sslmode')
  }
  const port = parameters.port ?? (url.port ? Number(url.port) : undefined)
  return {
    host,
    port,
    user: parameters.user ?? (url.username ? decodePart(url.username, 'user name') : undefined),
    password: url.password ? decodePart(url.password, 'password') : undefined,
    database,
    tls: parameters.tls,
    connectTimeoutMs: parameters.connectTimeoutMs,
    ...(parameters.applicationName !== undefined ? { applicationName: parameters.applicationName } : {}),
  }
}

/** Host left out after a user (`postgres://app@/db?host=/run/postgresql`, as libpq allows) stands in for while parsing. */
const NO_HOST = 'no-host.invalid'

/** WHATWG's URL, which refuses an empty host after a user; libpq allows one, meaning "the socket or `host` parameter". */
function parseUrl(value: string): URL {
  try {
    return new URL(value)
  } catch (error) {
    const match = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*@)(\/.*)?$/i.exec(value)
    if (!match) throw error
    return new URL(`${match[1]}${NO_HOST}${match[2] ?? ''}`)
  }
}

/** Percent-decodes one part of the URL; a malformed escape (`%zz`) is a usage error that quotes nothing. */
function decodePart(value: string, part: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    throw new UsageError(`DATABASE_URL's ${part} has a malformed %-escape; write a literal % as %25 (and other reserved characters as %XX)`)
  }
}
