/** parseDatabaseUrl and friends, as src/database-url/url.ts reads a DATABASE_URL today. */
import { describe, expect, it } from 'vitest'
import { UsageError } from '../../src/errors.js'
import { DEFAULT_PGLITE_DIR, describeTarget, parseDatabaseUrl, redactUrl, sqlDialectOf } from '../../src/database-url/url.js'

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
    expect(parseDatabaseUrl(raw)).toMatchObject({ kind: 'postgres', url: raw })
  })

  it('mysql:// is MySQL, the URL kept as given', () => {
    const raw = `mysql://app:${SECRET}@db.example.com:3306/auth`
    expect(parseDatabaseUrl(raw)).toMatchObject({ kind: 'mysql', url: raw })
  })

  it('mariadb:// is MySQL too, rewritten to mysql:// for the driver', () => {
    expect(parseDatabaseUrl(`mariadb://app:${SECRET}@db.example.com:3306/auth`)).toMatchObject({ kind: 'mysql', url: `mysql://app:${SECRET}@db.example.com:3306/auth` })
    expect(parseDatabaseUrl('MariaDB://h/auth')).toMatchObject({ kind: 'mysql', url: 'mysql://h/auth' })
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

/** The server connection `raw` names (it must be a server URL). */
function connectionOf(raw: string) {
  const target = parseDatabaseUrl(raw)
  if (target.kind === 'pglite') throw new Error(`${raw} is not a server URL`)
  return target.connection
}

describe('the server connection a URL names', () => {
  it('reads host, port, user, password and database, decoded', () => {
    expect(connectionOf(`postgres://app%40corp:${encodeURIComponent('p@ss:w/rd')}@db.example.com:6543/auth%2Ddb`)).toEqual({
      host: 'db.example.com',
      port: 6543,
      user: 'app@corp',
      password: 'p@ss:w/rd',
      database: 'auth-db',
      tls: undefined,
      connectTimeoutMs: undefined,
    })
    expect(connectionOf('mysql://root@127.0.0.1/app')).toMatchObject({ host: '127.0.0.1', port: undefined, user: 'root', password: undefined })
    expect(connectionOf('postgres://[::1]:5432/app')).toMatchObject({ host: '::1', port: 5432 })
  })

  it.each([
    ['postgres:///auth?host=/var/run/postgresql', { host: '/var/run/postgresql', user: undefined, database: 'auth' }],
    ['postgres:///auth?host=/var/run/postgresql&user=app&port=5433', { host: '/var/run/postgresql', user: 'app', port: 5433 }],
    ['postgres://app@/auth?host=/var/run/postgresql', { host: '/var/run/postgresql', user: 'app', database: 'auth' }],
    ['postgresql://app@%2Fvar%2Frun%2Fpostgresql/auth', { host: '/var/run/postgresql', user: 'app', database: 'auth' }],
  ])("libpq's Unix socket form %s", (raw, expected) => {
    expect(connectionOf(raw)).toMatchObject(expected)
  })

  it('a socket folder without TLS only: PostgreSQL offers no TLS over a Unix socket', () => {
    expect(usageErrorOf('postgres:///auth?host=/var/run/postgresql&sslmode=require').message).toMatch(/TLS over a Unix socket/)
  })

  it.each([
    [`postgres://app:${SECRET}@h/d%zzb`, /database name has a malformed %-escape; write a literal % as %25/],
    [`postgres://app%zz:${SECRET}@h/db`, /user name has a malformed %-escape/],
    [`mysql://app:${SECRET}%zz@h/db`, /password has a malformed %-escape/],
  ])('%s is a usage error that quotes nothing', (raw, says) => {
    const error = usageErrorOf(raw)
    expect(error.message).toMatch(says)
    expect(error.message).not.toContain(SECRET)
    expect(error.message).not.toContain('%zz')
    expect(error.message.split('\n')).toHaveLength(1)
  })

  it('connect_timeout is in seconds (as libpq), bounded, and never 0 (no limit)', () => {
    expect(connectionOf('postgres://h/db?connect_timeout=3').connectTimeoutMs).toBe(3000)
    expect(connectionOf('mysql://h/db?connect_timeout=20').connectTimeoutMs).toBe(20_000)
    for (const bad of ['0', '-1', '1.5', 'soon', '3601']) {
      expect(usageErrorOf(`postgres://h/db?connect_timeout=${bad}`).message).toMatch(/"connect_timeout" must be a whole number from 1 to 3600 \(seconds\)/)
    }
  })

  it('a parameter the module does not understand is a usage error naming it, never its value', () => {
    const error = usageErrorOf(`postgres://h/db?password=${SECRET}`)
    expect(error.message).toMatch(/parameter "password" is not understood for PostgreSQL; the parameters understood are sslmode, sslrootcert/)
    expect(error.message).not.toContain(SECRET)
    expect(usageErrorOf('mysql://h/db?charset=latin1').message).toMatch(/parameter "charset" is not understood for MySQL\/MariaDB/)
    expect(usageErrorOf('postgres://h/db?sslmode=require&sslmode=disable').message).toMatch(/gives the parameter "sslmode" twice/)
  })
})

describe('TLS in the URL, failing closed', () => {
  it.each([
    ['postgres://h/db', undefined],
    ['postgres://h/db?sslmode=disable', undefined],
    ['postgres://h/db?sslmode=require', { verify: 'none', caFile: undefined }],
    ['postgres://h/db?sslmode=require&sslrootcert=/ca.pem', { verify: 'ca', caFile: '/ca.pem' }],
    ['postgres://h/db?sslmode=verify-ca&sslrootcert=/ca.pem', { verify: 'ca', caFile: '/ca.pem' }],
    ['postgres://h/db?sslmode=verify-full&sslrootcert=/ca.pem', { verify: 'full', caFile: '/ca.pem' }],
    ['postgres://h/db?sslmode=verify-full', { verify: 'full', caFile: undefined }],
    ['postgres://h/db?sslmode=verify-full&sslrootcert=system', { verify: 'full', caFile: undefined }],
    ['postgres://h/db?sslmode=verify-full&sslcert=/c.pem&sslkey=/k.pem', { verify: 'full', certFile: '/c.pem', keyFile: '/k.pem' }],
    ['mysql://h/db', undefined],
    ['mysql://h/db?ssl-mode=DISABLED', undefined],
    ['mysql://h/db?ssl-mode=REQUIRED', { verify: 'none', caFile: undefined }],
    ['mysql://h/db?ssl-mode=VERIFY_CA&ssl-ca=/ca.pem', { verify: 'ca', caFile: '/ca.pem' }],
    ['mysql://h/db?ssl-mode=VERIFY_IDENTITY&ssl-ca=/ca.pem', { verify: 'full', caFile: '/ca.pem' }],
    ['mysql://h/db?ssl_mode=verify_identity&ssl_ca=/ca.pem', { verify: 'full', caFile: '/ca.pem' }],
  ])('%s', (raw, tls) => {
    const parsed = connectionOf(raw).tls
    if (tls === undefined) expect(parsed).toBeUndefined()
    else expect(parsed).toMatchObject(tls)
  })

  it.each([
    // mysql2 crashed on the first ("SSL profile must be an object") and ignored the second (plaintext).
    ['mysql://h/db?ssl=true', /parameter "ssl" is not understood for MySQL\/MariaDB; use ssl-mode=VERIFY_IDENTITY/],
    ['mysql://h/db?sslmode=require', /parameter "sslmode" is not understood for MySQL\/MariaDB; sslmode is PostgreSQL's; use ssl-mode=/],
    ['mysql://h/db?sslrootcert=/ca.pem', /sslrootcert is PostgreSQL's; use ssl-ca=<CA file>/],
    ['postgres://h/db?ssl=true', /parameter "ssl" is not understood for PostgreSQL; use sslmode=verify-full/],
    ['postgres://h/db?ssl-mode=REQUIRED', /ssl-mode is MySQL's; use sslmode=verify-full/],
    ['postgres://h/db?sslmode=prefer', /sslmode=prefer, which falls back to plaintext/],
    ['postgres://h/db?sslmode=allow', /sslmode=allow, which falls back to plaintext/],
    ['postgres://h/db?sslmode=verify-everything', /unknown sslmode; use disable, require, verify-ca or verify-full/],
    ['postgres://h/db?sslmode=verify-ca', /sslmode=verify-ca but no sslrootcert/],
    ['postgres://h/db?sslrootcert=/ca.pem', /gives sslrootcert without sslmode; add sslmode=verify-full/],
    ['postgres://h/db?sslmode=disable&sslrootcert=/ca.pem', /gives sslrootcert with sslmode=disable/],
    ['postgres://h/db?sslmode=verify-full&sslcert=/c.pem', /only one of sslcert and sslkey/],
    ['postgres://h/db?sslmode=verify-full&sslrootcert=', /"sslrootcert" is empty/],
    ['postgres://h/db?sslnegotiation=direct', /parameter "sslnegotiation" is not understood/],
    ['mysql://h/db?ssl-mode=PREFERRED', /ssl-mode=PREFERRED, which falls back to plaintext/],
    ['mysql://h/db?ssl-mode=VERIFY_CA', /ssl-mode=VERIFY_CA but no ssl-ca/],
    ['mysql://h/db?ssl-ca=/ca.pem', /gives ssl-ca without ssl-mode/],
    ['mysql://h/db?ssl-mode=yes', /unknown ssl-mode/],
    // mysql2 checks no name against the certificate for an IP address: VERIFY_IDENTITY would not hold.
    ['mysql://10.0.0.5/db?ssl-mode=VERIFY_IDENTITY&ssl-ca=/ca.pem', /ssl-mode=VERIFY_IDENTITY with an IP address, which the MySQL driver cannot check/],
  ])('%s is a usage error', (raw, says) => {
    const error = usageErrorOf(raw)
    expect(error.message).toMatch(says)
    expect(error.message.split('\n')).toHaveLength(1)
  })
})
