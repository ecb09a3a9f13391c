/**
 * What each driver is handed for a URL: explicit options (never the URL, which pg reads with a
 * printed SECURITY WARNING and mysql2 reads loosely), TLS exactly as the URL asks for it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { UsageError } from '../../src/errors.js'
import { parseDatabaseUrl, type ServerConnection } from '../../src/database-url/url.js'
import { postgresPoolConfig } from '../../src/engines/postgres/connect.js'
import { mysqlPoolConfig } from '../../src/engines/mysql/connect.js'
import { mysql, postgres } from '../../src/engines/index.js'

const dir = mkdtempSync(join(tmpdir(), 'artorizer-tls-unit-'))
const CA = join(dir, 'ca.pem')
writeFileSync(CA, '-----BEGIN CERTIFICATE-----\nnot really\n-----END CERTIFICATE-----\n')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function connection(raw: string): ServerConnection {
  const target = parseDatabaseUrl(raw)
  if (target.kind === 'pglite') throw new Error('not a server URL')
  return target.connection
}

describe('pg options', () => {
  it('plaintext unless the URL asks: ssl is false, so PGSSLMODE cannot change it', () => {
    const config = postgresPoolConfig(connection('postgres://app:pw@db:6543/auth'), 1234)
    expect(config).toMatchObject({ host: 'db', port: 6543, user: 'app', password: 'pw', database: 'auth', ssl: false, connectionTimeoutMillis: 1234 })
    expect(config).not.toHaveProperty('connectionString')
  })

  it('a socket folder goes to pg as its host, with the default port', () => {
    expect(postgresPoolConfig(connection('postgres:///auth?host=/var/run/postgresql'), 1)).toMatchObject({ host: '/var/run/postgresql', port: 5432 })
  })

  it('sslmode=require encrypts without checking; verify-ca checks the chain only; verify-full both', () => {
    expect(postgresPoolConfig(connection('postgres://h/db?sslmode=require'), 1).ssl).toEqual({ rejectUnauthorized: false })
    const ca = postgresPoolConfig(connection(`postgres://h/db?sslmode=verify-ca&sslrootcert=${CA}`), 1).ssl as Record<string, unknown>
    expect(ca).toMatchObject({ rejectUnauthorized: true, ca: expect.stringContaining('BEGIN CERTIFICATE') })
    expect(typeof ca.checkServerIdentity).toBe('function')
    const full = postgresPoolConfig(connection(`postgres://h/db?sslmode=verify-full&sslrootcert=${CA}`), 1).ssl as Record<string, unknown>
    expect(full).toMatchObject({ rejectUnauthorized: true, ca: expect.stringContaining('BEGIN CERTIFICATE') })
    expect(full.checkServerIdentity).toBeUndefined()
  })

  it('a CA file that cannot be read is a usage error naming it', () => {
    expect(() => postgresPoolConfig(connection(`postgres://h/db?sslmode=verify-full&sslrootcert=${dir}/missing.pem`), 1)).toThrow(UsageError)
    expect(() => postgresPoolConfig(connection(`postgres://h/db?sslmode=verify-full&sslrootcert=${dir}/missing.pem`), 1)).toThrow(/cannot read the CA file .*missing\.pem named in DATABASE_URL \(ENOENT\)/)
  })
})

describe('mysql2 options', () => {
  it('no ssl unless the URL asks', () => {
    const config = mysqlPoolConfig(connection('mysql://root@db/app'), 1234)
    expect(config).toMatchObject({ host: 'db', port: 3306, user: 'root', database: 'app', connectTimeout: 1234 })
    expect(config.ssl).toBeUndefined()
    expect(config).not.toHaveProperty('uri')
  })

  it('REQUIRED, VERIFY_CA and VERIFY_IDENTITY as mysql2 spells them', () => {
    expect(mysqlPoolConfig(connection('mysql://h/db?ssl-mode=REQUIRED'), 1).ssl).toEqual({ rejectUnauthorized: false, verifyIdentity: false })
    expect(mysqlPoolConfig(connection(`mysql://h/db?ssl-mode=VERIFY_CA&ssl-ca=${CA}`), 1).ssl).toMatchObject({ rejectUnauthorized: true, verifyIdentity: false, ca: expect.any(String) })
    expect(mysqlPoolConfig(connection(`mysql://h/db?ssl-mode=VERIFY_IDENTITY&ssl-ca=${CA}`), 1).ssl).toMatchObject({ rejectUnauthorized: true, verifyIdentity: true, ca: expect.any(String) })
  })
})

describe('TLS failures, as each engine reads them', () => {
  const error = (message: string, code?: string) => Object.assign(new Error(message), code === undefined ? {} : { code })
  it('a server that offers no TLS', () => {
    expect(postgres.errors.meaningOf(error('The server does not support SSL connections'))).toBe('tls-unsupported')
    expect(mysql.errors.meaningOf(error('Server does not support secure connection', 'HANDSHAKE_NO_SSL_SUPPORT'))).toBe('tls-unsupported')
  })
  it.each(['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED'])(
    "Node's %s: a certificate not accepted",
    (code) => {
      expect(postgres.errors.meaningOf(error('x', code))).toBe('tls-certificate-rejected')
      expect(mysql.errors.meaningOf(error('x', code))).toBe('tls-certificate-rejected')
    },
  )
})
