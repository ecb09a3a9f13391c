/**
 * DATABASE_URL forms beyond host:port (issue 12, item 9): libpq's Unix socket form against the
 * real local socket, malformed escapes as usage errors, and a host that never answers reported
 * as a connect timeout naming the address and how long it waited.
 */
import { existsSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ConnectionError, connectDatabase } from '../src/index.js'
import { runCli, type ProcessResult } from './support/bundled-cli.js'
import { isUnanswered, startBlackhole, type Blackhole } from './support/blackhole.js'
import { createTestDatabase, unavailableReason, type TestDatabase } from './support/databases.js'

const SECRET = `s3cret-${randomBytes(4).toString('hex')}`

/** The one line a failed command printed; fails when it printed more, a stack, or the password. */
function oneLine(result: ProcessResult): string {
  const lines = result.stderr.trim().split('\n')
  expect(lines, result.stderr).toHaveLength(1)
  expect(result.stdout + result.stderr).not.toContain(SECRET)
  return lines[0]!
}

/** The local server's socket folder, when the test server is on this machine. */
const SOCKET_DIR = process.env.TEST_POSTGRES_SOCKET_DIR ?? '/var/run/postgresql'
function socketUnavailable(): string | undefined {
  const reason = unavailableReason('postgres')
  if (reason) return reason
  const server = new URL(inject('postgresUrl')!)
  const socket = `${SOCKET_DIR}/.s.PGSQL.${server.port || 5432}`
  return existsSync(socket) ? undefined : `no PostgreSQL socket at ${socket} (set TEST_POSTGRES_SOCKET_DIR)`
}
const noSocket = socketUnavailable()

describe.skipIf(noSocket !== undefined)(`libpq's Unix socket form${noSocket ? ` [skipped: ${noSocket}]` : ''}`, () => {
  let testDb: TestDatabase
  let socketUrls: string[]

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres')
    const tcp = new URL(testDb.url)
    const database = tcp.pathname.slice(1)
    const user = decodeURIComponent(tcp.username)
    const port = tcp.port || '5432'
    socketUrls = [
      `postgres:///${database}?host=${SOCKET_DIR}&port=${port}&user=${user}`,
      `postgres://${user}@/${database}?host=${SOCKET_DIR}&port=${port}`,
      `postgresql://${user}@${encodeURIComponent(SOCKET_DIR)}:${port}/${database}`,
    ]
  })
  afterAll(async () => {
    await testDb?.drop()
  })

  it('connects through the socket (the server sees no client address), in-process and from the CLI', async () => {
    for (const url of socketUrls) {
      const database = await connectDatabase({ url })
      try {
        const row = await sql<{ addr: string | null; db: string }>`select inet_client_addr()::text as addr, current_database() as db`.execute(database.db)
        expect(row.rows[0], url).toEqual({ addr: null, db: new URL(testDb.url).pathname.slice(1) })
      } finally {
        await database.db.destroy()
      }
    }
    const migrated = await runCli(['migrate:latest'], { DATABASE_URL: socketUrls[0] })
    expect(migrated.code, migrated.stderr).toBe(0)
    const status = await runCli(['migrate:status'], { DATABASE_URL: socketUrls[1] })
    expect(status.code, status.stderr).toBe(0)
    expect(status.stdout).toMatch(/0001_better_auth\s+applied/)
  })
})

describe('a malformed URL is a usage error (exit 2, one line, no password)', () => {
  it.each([
    [`postgres://app:${SECRET}@127.0.0.1:5432/d%zzb`, /DATABASE_URL's database name has a malformed %-escape; write a literal % as %25/],
    [`mysql://app:${SECRET}@127.0.0.1:3306/d%zzb`, /DATABASE_URL's database name has a malformed %-escape/],
    [`postgres://app:${SECRET}%zz@127.0.0.1:5432/db`, /DATABASE_URL's password has a malformed %-escape/],
    [`postgres://app:${SECRET}@127.0.0.1:5432/db?connect_timeout=0`, /"connect_timeout" must be a whole number from 1 to 3600 \(seconds\)/],
  ])('%s', async (url, says) => {
    const result = await runCli(['migrate:status'], { DATABASE_URL: url })
    expect(result.code, result.stderr).toBe(2)
    expect(oneLine(result)).toMatch(says)
    expect(result.stderr).not.toContain('URI malformed')
  })
})

describe('a host that never answers', () => {
  let blackhole: Blackhole
  let works = false

  beforeAll(async () => {
    blackhole = await startBlackhole()
    works = await isUnanswered(blackhole)
  })
  afterAll(async () => {
    await blackhole?.close()
  })

  for (const scheme of ['postgres', 'mysql'] as const) {
    it(`${scheme}: "timed out connecting to host:port after N ms", N from connect_timeout or DATABASE_CONNECT_TIMEOUT_MS`, async ({ skip }) => {
      if (!works) skip('the loopback blackhole answers on this machine')
      const address = `${blackhole.host}:${blackhole.port}`
      const base = `${scheme}://app:${SECRET}@${address}/db`

      const fromUrl = await runCli(['migrate:status'], { DATABASE_URL: `${base}?connect_timeout=1` })
      expect(fromUrl.code, fromUrl.stderr).toBe(1)
      expect(oneLine(fromUrl)).toMatch(new RegExp(`cannot connect to .*: timed out connecting to ${address.replace(/\./g, '\\.')} after 1000 ms; check the host, port and firewall`))

      const fromEnv = await runCli(['migrate:status'], { DATABASE_URL: base, DATABASE_CONNECT_TIMEOUT_MS: '700' })
      expect(fromEnv.code, fromEnv.stderr).toBe(1)
      expect(oneLine(fromEnv)).toMatch(/timed out connecting to 127\.0\.0\.1:\d+ after 700 ms/)

      // In-process: the caller's connectTimeoutMs wins over the URL's.
      const database = await connectDatabase({ url: `${base}?connect_timeout=30`, connectTimeoutMs: 500 })
      try {
        const error = await sql`select 1`.execute(database.db).then(() => undefined, (e: unknown) => e)
        expect(error).toBeInstanceOf(ConnectionError)
        expect((error as Error).message).toMatch(/timed out connecting to 127\.0\.0\.1:\d+ after 500 ms/)
        expect((error as Error).message).not.toContain(SECRET)
      } finally {
        await database.db.destroy()
      }
    })
  }
})
