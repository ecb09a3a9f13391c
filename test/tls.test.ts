/**
 * TLS as managed databases need it (issue 12, item 10), against private servers this file starts
 * with TLS on and a certificate from a throw-away CA (`test/support/tls-servers.ts`): the
 * documented way per engine verifies the server with the CA file and fails, in one line, without
 * it, with another CA, or for a host the certificate does not name; a URL that asks for TLS is
 * never served in plaintext, also by the machine's own servers, which have TLS off. No driver
 * warning reaches the user.
 */
import { randomBytes } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectDatabase } from '../src/index.js'
import { runCli, type ProcessResult } from './support/bundled-cli.js'
import { createTestDatabase, unavailableReason, type TestDatabase } from './support/databases.js'
import { makeCertificates, startTlsMariadb, startTlsPostgres, tlsServersUnavailableReason, type TestCertificates, type TlsServer } from './support/tls-servers.js'

const unavailable = tlsServersUnavailableReason()

/** Whether the session runs over TLS, as the server itself says. */
async function sessionIsEncrypted(db: Kysely<any>, kind: 'postgres' | 'mysql'): Promise<boolean> {
  if (kind === 'postgres') {
    const { rows } = await sql<{ ssl: boolean }>`select ssl from pg_stat_ssl where pid = pg_backend_pid()`.execute(db)
    return rows[0]?.ssl === true
  }
  const { rows } = await sql<{ Value: string }>`show session status like 'Ssl_cipher'`.execute(db)
  return (rows[0]?.Value ?? '') !== ''
}

/** The one line a failed command printed; fails on more lines, a stack, or a driver's warning. */
function oneLine(result: ProcessResult): string {
  const lines = result.stderr.trim().split('\n')
  expect(lines, result.stderr).toHaveLength(1)
  expect(result.stderr).not.toMatch(/SECURITY WARNING|Warning:|\n\s+at /)
  return lines[0]!
}

interface Engine {
  readonly kind: 'postgres' | 'mysql'
  readonly start: (certs: TestCertificates) => Promise<TlsServer>
  readonly database: string
  /** The documented way to require TLS and verify the server, with `ca` (a file) or without. */
  readonly verifyFull: (ca?: string) => string
  readonly verifyCa: (ca: string) => string
  readonly require: string
  readonly disable: string
}

const ENGINES: readonly Engine[] = [
  {
    kind: 'postgres',
    start: startTlsPostgres,
    database: 'postgres',
    verifyFull: (ca) => `sslmode=verify-full${ca ? `&sslrootcert=${encodeURIComponent(ca)}` : ''}`,
    verifyCa: (ca) => `sslmode=verify-ca&sslrootcert=${encodeURIComponent(ca)}`,
    require: 'sslmode=require',
    disable: 'sslmode=disable',
  },
  {
    kind: 'mysql',
    start: startTlsMariadb,
    database: 'mysql',
    verifyFull: (ca) => `ssl-mode=VERIFY_IDENTITY${ca ? `&ssl-ca=${encodeURIComponent(ca)}` : ''}`,
    verifyCa: (ca) => `ssl-mode=VERIFY_CA&ssl-ca=${encodeURIComponent(ca)}`,
    require: 'ssl-mode=REQUIRED',
    disable: 'ssl-mode=DISABLED',
  },
]

describe.skipIf(unavailable !== undefined)(`TLS against private servers${unavailable ? ` [skipped: ${unavailable}]` : ''}`, () => {
  let certs: TestCertificates
  const servers = new Map<string, TlsServer>()

  beforeAll(async () => {
    certs = makeCertificates()
    // Both at once: each spends most of its start-up in initdb / mariadb-install-db.
    const started = await Promise.allSettled(ENGINES.map(async (engine) => servers.set(engine.kind, await engine.start(certs))))
    const failed = started.find((result) => result.status === 'rejected')
    if (failed) throw (failed as PromiseRejectedResult).reason
  }, 180_000)
  afterAll(async () => {
    await Promise.all([...servers.values()].map((server) => server.stop()))
    if (certs) (await import('node:fs')).rmSync(certs.dir, { recursive: true, force: true })
  })

  for (const engine of ENGINES) {
    describe(engine.kind, () => {
      const url = (host: string, params: string) => `${servers.get(engine.kind)!.url(host, engine.database)}?${params}`

      it('verifies the server with the CA file, encrypted, and migrates through it', async () => {
        const database = await connectDatabase({ url: url('localhost', engine.verifyFull(certs.caFile)) })
        try {
          expect(await sessionIsEncrypted(database.db, engine.kind)).toBe(true)
        } finally {
          await database.db.destroy()
        }
        // The whole CLI over a verified connection, in a database of its own, with nothing printed but its report.
        const name = `t_tls_${randomBytes(3).toString('hex')}`
        const admin = await connectDatabase({ url: url('localhost', engine.verifyFull(certs.caFile)) })
        try {
          await sql`create database ${sql.id(name)}`.execute(admin.db)
          const target = `${servers.get(engine.kind)!.url('localhost', name)}?${engine.verifyFull(certs.caFile)}`
          const migrated = await runCli(['migrate:latest'], { DATABASE_URL: target })
          expect(migrated.code, migrated.stderr).toBe(0)
          expect(migrated.stderr).toBe('')
          const verified = await runCli(['db:verify'], { DATABASE_URL: target })
          expect(verified.code, verified.stdout + verified.stderr).toBe(0)
        } finally {
          await sql`drop database if exists ${sql.id(name)}`.execute(admin.db).catch(() => {})
          await admin.db.destroy()
        }
      })

      it('fails in one line without the CA (Node trusts no such CA), or with another CA', async () => {
        for (const params of [engine.verifyFull(), engine.verifyFull(certs.otherCaFile), engine.verifyCa(certs.otherCaFile)]) {
          const result = await runCli(['migrate:status'], { DATABASE_URL: url('localhost', params) })
          expect(result.code, result.stderr).toBe(1)
          expect(oneLine(result)).toMatch(/cannot connect to .*: the server's TLS certificate was not accepted \(.*\); give the CA that signed it/)
        }
      })

      it('checks the host name: the certificate names localhost, not 127.0.0.1 (verify-ca does not compare names)', async () => {
        const result = await runCli(['migrate:status'], { DATABASE_URL: url('127.0.0.1', engine.verifyFull(certs.caFile)) })
        if (engine.kind === 'postgres') {
          expect(result.code, result.stderr).toBe(1)
          expect(oneLine(result)).toMatch(/TLS certificate was not accepted \(.*(altnames|127\.0\.0\.1).*\)/)
        } else {
          // mysql2 checks no name for an IP address (Node would compare "localhost"): refused up front.
          expect(result.code, result.stderr).toBe(2)
          expect(oneLine(result)).toMatch(/ssl-mode=VERIFY_IDENTITY with an IP address, which the MySQL driver cannot check/)
        }

        const database = await connectDatabase({ url: url('127.0.0.1', engine.verifyCa(certs.caFile)) })
        try {
          expect(await sessionIsEncrypted(database.db, engine.kind)).toBe(true)
        } finally {
          await database.db.destroy()
        }
      })

      it('require encrypts without checking the certificate, and prints no driver warning', async () => {
        const database = await connectDatabase({ url: url('localhost', engine.require) })
        try {
          expect(await sessionIsEncrypted(database.db, engine.kind)).toBe(true)
        } finally {
          await database.db.destroy()
        }
        const result = await runCli(['migrate:status'], { DATABASE_URL: url('localhost', engine.require) })
        expect(result.code, result.stderr).toBe(0)
        expect(result.stderr).toBe('')
      })

      it('plaintext only when the URL says nothing or disables TLS', async () => {
        for (const params of ['', engine.disable]) {
          const database = await connectDatabase({ url: url('localhost', params).replace(/\?$/, '') })
          try {
            expect(await sessionIsEncrypted(database.db, engine.kind)).toBe(false)
          } finally {
            await database.db.destroy()
          }
        }
      })
    })
  }
})

describe('a URL that asks for TLS is refused by a server without TLS, never served in plaintext', () => {
  for (const engine of ENGINES) {
    const reason = unavailableReason(engine.kind)
    describe.skipIf(reason !== undefined && !process.env.CI)(`${engine.kind}${reason ? ` [skipped: ${reason}]` : ''}`, () => {
      let testDb: TestDatabase
      let tlsOff = false

      beforeAll(async () => {
        testDb = await createTestDatabase(engine.kind)
        const database = await testDb.connect()
        try {
          tlsOff = !(await sessionIsEncrypted(database.db, engine.kind))
          if (engine.kind === 'postgres') tlsOff &&= (await sql<{ ssl: string }>`show ssl`.execute(database.db)).rows[0]?.ssl === 'off'
          else tlsOff &&= (await sql<{ Value: string }>`show global variables like 'have_ssl'`.execute(database.db)).rows[0]?.Value !== 'YES'
        } finally {
          await database.db.destroy()
        }
      })
      afterAll(async () => {
        await testDb?.drop()
      })

      for (const mode of ['require', 'verifyFull'] as const) it(mode, async ({ skip }) => {
        if (!tlsOff) skip('the test server has TLS on')
        const params = mode === 'require' ? engine.require : engine.verifyFull()
        // By name: MySQL's VERIFY_IDENTITY takes a host name (an IP address is refused before connecting).
        const byName = testDb.url.replace('@127.0.0.1:', '@localhost:')
        const result = await runCli(['migrate:latest'], { DATABASE_URL: `${byName}?${params}` })
        expect(result.code, result.stderr).toBe(1)
        expect(oneLine(result)).toMatch(/DATABASE_URL requires TLS and the server does not offer it \(nothing was sent in plaintext\)/)
        // Nothing ran: the database is as empty as it was.
        const database = await testDb.connect()
        try {
          expect(await database.db.introspection.getTables()).toEqual([])
        } finally {
          await database.db.destroy()
        }
      })
    })
  }
})
