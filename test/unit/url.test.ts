/** parseDatabaseUrl and friends, as src/db/url.ts reads a DATABASE_URL today. */
import { describe, expect, it } from 'vitest'
import { UsageError } from '../../src/errors.js'
import { DEFAULT_PGLITE_DIR, describeTarget, parseDatabaseUrl, redactUrl, sqlDialectOf } from '../../src/db/url.js'

const SECRET = 's3cr3t-Pa55'

/** The UsageError `raw` raises; fails when it raises none. */
function usageErrorOf(raw: string): UsageError {
  try {
    parseDatabaseUrl(raw)
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError)
    return error as UsageError
  }
  throw new Error(`parseDatabaseUrl accepted ${raw}`)
}

describe('parseDatabaseUrl', () => {
  it.each([undefined, '', '   '])('%j selects the embedded default folder', (raw) => {
    expect(parseDatabaseUrl(raw)).toEqual({ kind: 'pglite', dataDir: DEFAULT_PGLITE_DIR })
    expect(DEFAULT_PGLITE_DIR).toBe('./.data/pglite')
  })

  it.each(['pglite:memory', 'pglite::memory:', 'pglite://memory', 'PGLITE:memory'])('%s is in memory', (raw) => {
    expect(parseDatabaseUrl(raw)).toEqual({ kind: 'pglite', dataDir: undefined })
  })

  it.each([
    ['pglite:./data/db', './data/db'],
    ['pglite:/var/lib/app/pglite', '/var/lib/app/pglite'],
    ['pglite://relative/folder', 'relative/folder'],
    ['pglite:', DEFAULT_PGLITE_DIR],
    ['  pglite:./padded  ', './padded'],
  ])('%s is the folder %s', (raw, dataDir) => {
    expect(parseDatabaseUrl(raw)).toEqual({ kind: 'pglite', dataDir })
  })

  it.each([
    `postgres://app:${SECRET}@db.example.com:5432/auth`,
    `postgresql://app:${SECRET}@db.example.com/auth?sslmode=require`,
    'postgres://localhost/auth',
  ])('%s is PostgreSQL, the URL kept as given', (raw) => {
    expect(parseDatabaseUrl(raw)).toEqual({ kind: 'postgres', url: raw })
  })

  it('mysql:// is MySQL, the URL kept as given', () => {
    const raw = `mysql://app:${SECRET}@db.example.com:3306/auth`
    expect(parseDatabaseUrl(raw)).toEqual({ kind: 'mysql', url: raw })
  })

  it('mariadb:// is MySQL too, rewritten to mysql:// for the driver', () => {
    expect(parseDatabaseUrl(`mariadb://app:${SECRET}@db.example.com:3306/auth`)).toEqual({ kind: 'mysql', url: `mysql://app:${SECRET}@db.example.com:3306/auth` })
    expect(parseDatabaseUrl('MariaDB://h/auth')).toEqual({ kind: 'mysql', url: 'mysql://h/auth' })
  })

  it('an unknown scheme is a UsageError that names the scheme and not the password', () => {
    const error = usageErrorOf(`oracle://app:${SECRET}@db.example.com/x`)
    expect(error.message).toMatch(/scheme "oracle" is not supported; use postgres:\/\/, mysql:\/\/ or pglite/)
    expect(error.message).not.toContain(SECRET)
  })

  it('a malformed URL is a UsageError without the password', () => {
    const error = usageErrorOf(`postgres://app:${SECRET}@[not-a-host/db`)
    expect(error.message).toMatch(/DATABASE_URL is not a valid URL; use postgres:\/\//)
    expect(error.message).not.toContain(SECRET)
  })

  it('a URL with no scheme is a UsageError', () => {
    expect(usageErrorOf('db.example.com:5432/auth').message).not.toContain(SECRET)
    expect(usageErrorOf('just-a-name').message).toMatch(/not a valid URL/)
  })

  it('a URL without a host is a UsageError', () => {
    expect(usageErrorOf('postgres:///auth').message).toMatch(/DATABASE_URL has no host; write it as postgres:\/\/user:pass@host:port\/database/)
  })

  it('a URL without a database is a UsageError naming what to add', () => {
    expect(usageErrorOf(`postgres://app:${SECRET}@db.example.com:5432`).message).toMatch(/names no database/)
    expect(usageErrorOf(`mysql://app:${SECRET}@db.example.com:3306/`).message).toMatch(/names no database/)
    expect(usageErrorOf(`mysql://app:${SECRET}@db.example.com:3306/`).message).not.toContain(SECRET)
  })
})

describe('sqlDialectOf, describeTarget and redactUrl', () => {
  it('PGlite speaks PostgreSQL', () => {
    expect(sqlDialectOf(parseDatabaseUrl('pglite:memory'))).toBe('postgres')
    expect(sqlDialectOf(parseDatabaseUrl('postgres://h/db'))).toBe('postgres')
    expect(sqlDialectOf(parseDatabaseUrl('mariadb://h/db'))).toBe('mysql')
  })

  it('describes a target without its password', () => {
    expect(describeTarget(parseDatabaseUrl(`postgres://app:${SECRET}@h:5432/db`))).toBe('postgres://app:***@h:5432/db')
    expect(describeTarget(parseDatabaseUrl('pglite:memory'))).toBe('pglite:memory')
    expect(describeTarget(parseDatabaseUrl('pglite:./x'))).toBe('pglite:./x')
  })

  it('redacts a password parameter, and a URL that does not parse', () => {
    expect(redactUrl(`postgres://h/db?password=${SECRET}`)).not.toContain(SECRET)
    expect(redactUrl(`postgres://app:${SECRET}@[bad/db`)).toBe('postgres://app:***@[bad/db')
  })
})
