import { UsageError } from '../errors.js'
import { portList, readConnectionParameters, type TlsSettings } from './parameters.js'
import type { TargetSessionAttrs } from './session-attrs.js'

export type { TlsSettings, TlsVerification } from './parameters.js'
export type { TargetSessionAttrs } from './session-attrs.js'

/** One host of a multi-host URL: a host name, an IP address or (PostgreSQL) a socket folder, and its port. */
export interface HostAddress {
  readonly host: string
  /** Undefined: the engine's default port. */
  readonly port: number | undefined
}

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
  /**
   * PostgreSQL's multi-host list (`postgres://a:5432,b:5432/db`, or `?host=a,b&port=...`), every
   * host in the order given, when there is more than one; `host` and `port` are the first.
   */
  readonly hosts?: readonly HostAddress[]
  /** libpq's `target_session_attrs`, when the URL gives it (absent: `any`). */
  readonly targetSessionAttrs?: TargetSessionAttrs
}

/** Whether a target's URL lists several hosts (PostgreSQL's multi-host form). */
export function isMultiHost(target: DatabaseTarget): boolean {
  return 'connection' in target && (target.connection.hosts?.length ?? 1) > 1
}

/** Every host a connection may try, in order: the multi-host list, else the one host. */
export function hostsOf(connection: ServerConnection): readonly HostAddress[] {
  return connection.hosts ?? [{ host: connection.host, port: connection.port }]
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
  let listed: HostAddress[] | undefined
  try {
    const split = splitHostList(value)
    listed = split.hosts
    url = parseUrl(split.url)
  } catch (error) {
    if (error instanceof UsageError) throw error
    throw new UsageError(
      'DATABASE_URL is not a valid URL; use postgres://user:pass@host:5432/db, mysql://user:pass@host:3306/db or pglite:<folder>',
    )
  }
  switch (scheme) {
    case 'postgres':
    case 'postgresql':
      return { kind: 'postgres', url: value, connection: serverConnection(url, 'postgres', listed) }
    case 'mysql':
    case 'mariadb':
      if (listed) {
        throw new UsageError(
          'DATABASE_URL lists several hosts, but a MySQL/MariaDB URL takes one host; give one (put a proxy such as MySQL Router or MaxScale in front of a replicated set)',
        )
      }
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

function serverConnection(url: URL, kind: SqlDialect, listed?: readonly HostAddress[]): ServerConnection {
  // libpq's forms: the host in the URL, a `host` parameter (which wins), or a percent-encoded
  // socket folder as the host (`postgres://%2Fvar%2Frun%2Fpostgresql/db`).
  const hostname = decodePart(url.hostname === NO_HOST || url.hostname === LISTED_HOSTS ? '' : url.hostname.replace(/^\[(.*)\]$/, '$1'), 'host')
  const parameters = readConnectionParameters(url.searchParams, kind, url.searchParams.get('host') || hostname)
  const host = parameters.host ?? listed?.[0]?.host ?? hostname
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
  const hosts = hostListOf(listed, parameters.hosts, parameters.ports, url.port ? Number(url.port) : undefined)
  if (hosts && parameters.tls && hosts.some((entry) => entry.host.startsWith('/'))) {
    throw new UsageError('DATABASE_URL asks for TLS over a Unix socket, which PostgreSQL does not offer; connect to a host and port instead, or drop sslmode')
  }
  const port = hosts?.[0]?.port ?? parameters.port ?? (url.port ? Number(url.port) : undefined)
  return {
    host: hosts?.[0]?.host ?? host,
    port,
    user: parameters.user ?? (url.username ? decodePart(url.username, 'user name') : undefined),
    password: url.password ? decodePart(url.password, 'password') : undefined,
    database,
    tls: parameters.tls,
    connectTimeoutMs: parameters.connectTimeoutMs,
    ...(parameters.applicationName !== undefined ? { applicationName: parameters.applicationName } : {}),
    ...(hosts && hosts.length > 1 ? { hosts } : {}),
    ...(parameters.targetSessionAttrs !== undefined ? { targetSessionAttrs: parameters.targetSessionAttrs } : {}),
  }
}

/** The host that stands in for a multi-host list while WHATWG's URL parses the rest. */
const LISTED_HOSTS = 'listed-hosts.invalid'

/**
 * libpq's multi-host authority, `host1:5432,host2:5433` (https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-MULTIPLE-HOSTS),
 * which WHATWG's URL refuses: the list is read here and replaced by one placeholder host, so that
 * the user, password, database and parameters are parsed as for one host. No library reads it
 * (pg-connection-string takes one host), hence by hand.
 */
function splitHostList(value: string): { url: string; hosts: HostAddress[] | undefined } {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is.exec(value)
  if (!match) return { url: value, hosts: undefined }
  const [, scheme, authority, rest] = match as unknown as [string, string, string, string]
  const at = authority.lastIndexOf('@')
  const userinfo = at >= 0 ? authority.slice(0, at + 1) : ''
  const hostPart = authority.slice(at + 1)
  if (!hostPart.includes(',')) return { url: value, hosts: undefined }
  const hosts = hostPart.split(',').map((entry) => {
    const bracketed = /^\[([^\]]*)\](?::(\d*))?$/.exec(entry)
    const plain = /^([^:[\]]*)(?::(\d*))?$/.exec(entry)
    const parts = bracketed ?? plain
    if (!parts || !parts[1]) throw new UsageError('DATABASE_URL lists a host it cannot read; write several hosts as postgres://user:pass@host1:5432,host2:5432/database')
    const [port] = portList(parts[2] || '') ?? []
    return { host: decodePart(parts[1], 'host'), port }
  })
  return { url: `${scheme}${userinfo}${LISTED_HOSTS}${rest}`, hosts }
}

/**
 * The hosts to try, libpq's way: a `host` parameter list wins over the URL's list; a `port`
 * parameter gives one port for all or one per host (otherwise each URL entry's own port, else
 * the URL's single port). Undefined for a plain one-host URL.
 */
function hostListOf(
  listed: readonly HostAddress[] | undefined,
  hostParameter: readonly string[] | undefined,
  portParameter: readonly (number | undefined)[] | undefined,
  urlPort: number | undefined,
): HostAddress[] | undefined {
  if (!listed && (!hostParameter || hostParameter.length < 2) && (!portParameter || portParameter.length < 2)) return undefined
  const hosts: HostAddress[] = hostParameter ? hostParameter.map((host) => ({ host, port: undefined })) : [...(listed ?? [])]
  if (hosts.length === 0) throw new UsageError('DATABASE_URL gives a list of ports but no hosts for them; give host=host1,host2 as many as the ports')
  if (portParameter) {
    if (portParameter.length !== 1 && portParameter.length !== hosts.length) {
      throw new UsageError(`DATABASE_URL gives ${hosts.length} hosts and ${portParameter.length} ports; give one port for all of them or one per host`)
    }
    return hosts.map((entry, i) => ({ host: entry.host, port: portParameter.length === 1 ? portParameter[0] : portParameter[i] }))
  }
  return hosts.map((entry) => ({ host: entry.host, port: entry.port ?? (listed ? undefined : urlPort) }))
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
