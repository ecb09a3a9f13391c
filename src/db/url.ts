import { UsageError } from '../errors.js'

/** The SQL families this module writes for. PGlite speaks PostgreSQL. */
export type SqlDialect = 'postgres' | 'mysql'

/**
 * Where the database is, parsed from a `DATABASE_URL`.
 *
 * - `postgres://` / `postgresql://` → PostgreSQL through `pg`
 * - `mysql://` (also `mariadb://`) → MySQL or MariaDB through `mysql2`
 * - `pglite:<folder>` → embedded PostgreSQL (PGlite) persisted in a folder
 * - `pglite:memory` → embedded PostgreSQL that lives only as long as the process
 */
export type DatabaseTarget =
  | { readonly kind: 'postgres'; readonly url: string }
  | { readonly kind: 'mysql'; readonly url: string }
  | { readonly kind: 'pglite'; readonly dataDir: string | undefined }

/** The folder of the embedded database when no `DATABASE_URL` is set. */
export const DEFAULT_PGLITE_DIR = './.data/pglite'

/**
 * Parses a `DATABASE_URL`. `undefined` or an empty string selects the embedded default.
 *
 * @throws {UsageError} with a one-line message (never containing the password) when the
 *   URL is malformed or names a scheme this module does not support.
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
    url = new URL(value)
  } catch {
    throw new UsageError(
      'DATABASE_URL is not a valid URL; use postgres://user:pass@host:5432/db, mysql://user:pass@host:3306/db or pglite:<folder>',
    )
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''))
  switch (scheme) {
    case 'postgres':
    case 'postgresql':
      requireHostAndDatabase(url, database)
      return { kind: 'postgres', url: value }
    case 'mysql':
    case 'mariadb':
      requireHostAndDatabase(url, database)
      return { kind: 'mysql', url: value.replace(/^mariadb:/i, 'mysql:') }
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

function requireHostAndDatabase(url: URL, database: string): void {
  if (!url.hostname) {
    throw new UsageError(`DATABASE_URL has no host; write it as ${url.protocol}//user:pass@host:port/database`)
  }
  if (!database) {
    throw new UsageError(`DATABASE_URL names no database; add it after the host, as ${url.protocol}//user:pass@host:port/database`)
  }
}
