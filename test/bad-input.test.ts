/**
 * Bad input gets one line that says what is wrong and what to do, a non-zero exit, no stack
 * trace and never the password: from the CLI (plain and `--json`) and in the errors that
 * `connectDatabase` / `migrateToLatest` throw to router-backend at boot.
 */
import { createServer, type Server, type Socket } from 'node:net'
import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectDatabase, migrateToLatest } from '../src/index.js'
import { finished, runCli, spawnBundled } from './support/bundled-cli.js'
import { createTestDatabase, unavailableReason, type TestDatabase } from './support/databases.js'

const SECRET = `s3cret-${randomBytes(4).toString('hex')}`

interface Expectation {
  /** Exit code of the CLI. */
  readonly code: number
  /** What the one line must say. */
  readonly says: RegExp
  readonly env?: Record<string, string>
}

/**
 * Runs `migrate:latest` plain and with `--json`, and `migrateToLatest` in-process, and checks
 * all three report `says` in one line without the password or a stack.
 */
async function expectExplained(url: string, expectation: Expectation): Promise<void> {
  const env = { DATABASE_URL: url, ...expectation.env }
  const [plain, json] = await Promise.all([runCli(['migrate:latest'], env), runCli(['migrate:latest', '--json'], env)])

  expect(plain.code, plain.stderr).toBe(expectation.code)
  const lines = plain.stderr.trim().split('\n')
  expect(lines, plain.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(expectation.says)
  expect(plain.stderr).not.toMatch(/\n\s+at /)
  expect(plain.stdout + plain.stderr).not.toContain(SECRET)

  expect(json.code).toBe(expectation.code)
  const report = JSON.parse(json.stdout) as { ok: boolean; error: string }
  expect(report.ok).toBe(false)
  expect(report.error).toMatch(expectation.says)
  expect(json.stdout + json.stderr).not.toContain(SECRET)

  // What router-backend sees at boot.
  const saved = Object.fromEntries(Object.keys(expectation.env ?? {}).map((key) => [key, process.env[key]]))
  Object.assign(process.env, expectation.env)
  let thrown: unknown
  try {
    const database = await connectDatabase({ url })
    try {
      await migrateToLatest(database.db)
    } finally {
      await database.db.destroy().catch(() => {})
    }
  } catch (error) {
    thrown = error
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  }
  expect(thrown).toBeInstanceOf(Error)
  const error = thrown as Error
  expect(error.message).toMatch(expectation.says)
  expect(error.message.split('\n')).toHaveLength(1)
  expect(`${error.message}\n${error.stack}\n${JSON.stringify(error)}`).not.toContain(SECRET)
}

/** A TCP server that accepts connections and never says a word. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

/**
 * A stand-in PostgreSQL server that answers every startup with the error a real one sends for a
 * wrong password (the test server trusts every local connection, so it never asks for one).
 */
async function passwordRefusingPostgres(): Promise<{ port: number; close(): Promise<void> }> {
  const fields = [['S', 'FATAL'], ['V', 'FATAL'], ['C', '28P01'], ['M', 'password authentication failed for user "app"']]
  const body = Buffer.concat([...fields.map(([k, v]) => Buffer.from(`${k}${v}\0`)), Buffer.from('\0')])
  const length = Buffer.alloc(4)
  length.writeInt32BE(body.length + 4)
  const errorResponse = Buffer.concat([Buffer.from('E'), length, body])
  const server = createServer((socket) => {
    socket.on('error', () => {})
    socket.once('data', () => socket.end(errorResponse))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

describe('DATABASE_URL that cannot work', () => {
  it('a wrong password (postgres, protocol-level stand-in)', async () => {
    const server = await passwordRefusingPostgres()
    try {
      await expectExplained(`postgres://app:${SECRET}@127.0.0.1:${server.port}/db`, {
        code: 1,
        says: /the database refused user "app" at postgres:\/\/app:\*\*\*@127\.0\.0\.1:\d+\/db; check the user and password in DATABASE_URL/,
      })
    } finally {
      await server.close()
    }
  })

  it('a malformed URL', async () => {
    await expectExplained(`postgres://app:${SECRET}@[not-a-host/db`, { code: 2, says: /DATABASE_URL is not a valid URL; use postgres:\/\// })
  })

  it('a multi-host URL none of whose hosts answers: one line naming each host and why (CLI)', async () => {
    const result = await runCli(['migrate:latest'], { DATABASE_URL: `postgres://app:${SECRET}@127.0.0.1:1,127.0.0.1:2/db?target_session_attrs=read-write` })
    expect(result.code).toBe(1)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(/no host of DATABASE_URL is a server that accepts writes \(target_session_attrs=read-write\): 127\.0\.0\.1:1 refused the connection, 127\.0\.0\.1:2 refused the connection/)
    expect(result.stderr).not.toContain(SECRET)
  })

  it('an unsupported scheme', async () => {
    await expectExplained(`oracle://app:${SECRET}@db.example.com/x`, { code: 2, says: /scheme "oracle" is not supported; use postgres:\/\/, mysql:\/\/ or pglite/ })
  })

  it('a timeout that is not a number', async () => {
    await expectExplained('pglite:memory', { code: 2, says: /DATABASE_CONNECT_TIMEOUT_MS must be a whole number of milliseconds/, env: { DATABASE_CONNECT_TIMEOUT_MS: 'soon' } })
  })

  for (const scheme of ['postgres', 'mysql']) {
    it(`an unknown host (${scheme})`, async () => {
      await expectExplained(`${scheme}://app:${SECRET}@no-such-host.invalid:5432/db`, { code: 1, says: /unknown host; check the host name in DATABASE_URL/ })
    })

    it(`a refused port (${scheme})`, async () => {
      await expectExplained(`${scheme}://app:${SECRET}@127.0.0.1:1/db`, { code: 1, says: /connection refused; is the database server running/ })
    })

    it(`a server that accepts and never answers times out within DATABASE_CONNECT_TIMEOUT_MS (${scheme})`, async () => {
      const server = await silentServer()
      try {
        const url = `${scheme}://app:${SECRET}@127.0.0.1:${server.port}/db`
        await expectExplained(url, {
          code: 1,
          says: /cannot connect to .*: timed out connecting to 127\.0\.0\.1:\d+ after 600 ms; check the host, port and firewall \(connect_timeout in DATABASE_URL, in seconds, or DATABASE_CONNECT_TIMEOUT_MS/,
          env: { DATABASE_CONNECT_TIMEOUT_MS: '600' },
        })
        // The setting is what ends the wait, shown by order rather than by the clock (a loaded
        // machine makes any duration bound flaky): started together, the 600 ms client gives up
        // before one allowed 10 minutes.
        const long = await spawnBundled('src/cli.ts', ['migrate:status'], { DATABASE_URL: url, DATABASE_CONNECT_TIMEOUT_MS: '600000' })
        const longEnded = finished(long).then(() => 'long' as const)
        const short = await spawnBundled('src/cli.ts', ['migrate:status'], { DATABASE_URL: url, DATABASE_CONNECT_TIMEOUT_MS: '600' })
        const first = await Promise.race([finished(short).then(() => 'short' as const), longEnded])
        long.kill('SIGKILL')
        await longEnded
        expect(first).toBe('short')
      } finally {
        await server.close()
      }
    })
  }
})

describe.skipIf(unavailableReason('postgres') && !process.env.CI)('PostgreSQL refuses', () => {
  let testDb: TestDatabase
  const roles: string[] = []
  let admin: Awaited<ReturnType<typeof connectDatabase>>
  const urlFor = (role: string, database = new URL(testDb.url).pathname.slice(1)) => {
    const url = new URL(testDb.url)
    url.username = role
    url.password = SECRET
    url.pathname = `/${database}`
    return url.toString()
  }

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres')
    admin = await testDb.connect()
  })
  afterAll(async () => {
    for (const role of roles) {
      await sql`drop owned by ${sql.id(role)}`.execute(admin.db)
      await sql`drop role if exists ${sql.id(role)}`.execute(admin.db)
    }
    await admin?.db.destroy()
    await testDb?.drop()
  })

  async function createRole(): Promise<string> {
    const role = `rel_r_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
    roles.push(role)
    await sql`create role ${sql.id(role)} login password ${sql.lit(SECRET)}`.execute(admin.db)
    return role
  }

  it('a database that does not exist', async () => {
    await expectExplained(urlFor('postgres', `missing_${randomBytes(4).toString('hex')}`), { code: 1, says: /database named in .* does not exist; create it first/ })
  })

  it('a user without the privilege to create tables', async () => {
    const role = await createRole()
    await expectExplained(urlFor(role), { code: 1, says: new RegExp(`user "${role}" lacks a privilege the migration needs \\(permission denied .*\\); grant`) })
  })

  it('a read-only server (default_transaction_read_only on the role)', async () => {
    const role = await createRole()
    const database = sql.id(new URL(testDb.url).pathname.slice(1))
    await sql`grant create on schema public to ${sql.id(role)}`.execute(admin.db)
    await sql`alter role ${sql.id(role)} in database ${database} set default_transaction_read_only = on`.execute(admin.db)
    await expectExplained(urlFor(role), { code: 1, says: /is read-only for user .* \(cannot execute CREATE TABLE in a read-only transaction\); point DATABASE_URL at the primary/ })
  })
})

describe.skipIf(unavailableReason('mysql') && !process.env.CI)('MariaDB/MySQL refuses', () => {
  let testDb: TestDatabase
  let admin: Awaited<ReturnType<typeof connectDatabase>>
  const users: string[] = []
  const databaseName = () => new URL(testDb.url).pathname.slice(1)
  const urlFor = (user: string, password = SECRET, database = databaseName()) => {
    const url = new URL(testDb.url)
    url.username = user
    url.password = password
    url.pathname = `/${database}`
    return url.toString()
  }

  beforeAll(async () => {
    testDb = await createTestDatabase('mysql')
    admin = await testDb.connect()
  })
  afterAll(async () => {
    for (const user of users) await sql`drop user if exists ${sql.lit(user)}@'%'`.execute(admin.db)
    await admin?.db.destroy()
    await testDb?.drop()
  })

  async function createUser(grants: string | undefined): Promise<string> {
    const user = `rel_u_${randomBytes(5).toString('hex')}`
    users.push(user)
    await sql`create user ${sql.lit(user)}@'%' identified by ${sql.lit(SECRET)}`.execute(admin.db)
    if (grants) await sql`grant ${sql.raw(grants)} on ${sql.id(databaseName())}.* to ${sql.lit(user)}@'%'`.execute(admin.db)
    return user
  }

  it('several hosts: a MySQL/MariaDB URL takes one (usage error, exit 2)', async () => {
    const url = new URL(testDb.url)
    const listed = testDb.url.replace(`@${url.host}/`, `@${url.host},${url.host}/`).replace(/^mysql:\/\/([^:@]*)@/, `mysql://$1:${SECRET}@`)
    await expectExplained(listed, { code: 2, says: /DATABASE_URL lists several hosts, but a MySQL\/MariaDB URL takes one host/ })
  })

  it('a wrong password', async () => {
    const user = await createUser('select')
    const url = new URL(urlFor(user))
    url.password = `${SECRET}-wrong`
    await expectExplained(url.toString(), { code: 1, says: new RegExp(`the database refused user "${user}" at .*; check the user and password in DATABASE_URL`) })
  })

  it('a database that does not exist', async () => {
    const root = new URL(testDb.url)
    await expectExplained(urlFor(decodeURIComponent(root.username), SECRET, `missing_${randomBytes(4).toString('hex')}`).replace(`:${SECRET}@`, '@'), {
      code: 1,
      says: /database named in .* does not exist; create it first/,
    })
  })

  it('a user with no access to the database', async () => {
    const user = await createUser(undefined)
    await expectExplained(urlFor(user), { code: 1, says: new RegExp(`user "${user}" may not use the database named in`) })
  })

  it('a user without the privilege to create tables', async () => {
    const user = await createUser('select, insert, update, delete')
    await expectExplained(urlFor(user), { code: 1, says: new RegExp(`user "${user}" lacks a privilege the migration needs \\(CREATE command denied`) })
  })

  it('a read-only user (SELECT only: MariaDB has no per-user read_only)', async () => {
    const user = await createUser('select')
    await expectExplained(urlFor(user), { code: 1, says: new RegExp(`user "${user}" lacks a privilege the migration needs \\(CREATE command denied`) })
  })
})

describe('arguments the CLI does not take', () => {
  const cases: [string[], RegExp][] = [
    [['migrate:latest', 'now'], /too many arguments for 'migrate:latest'/],
    [['migrate:down', '--to'], /option '--to <name>' argument missing/],
    [['migrate:down', '--all', '--to', '0001_better_auth'], /give --to or --all, not both/],
    [['migrate:status', '--force'], /unknown option '--force'/],
    [['migrate:latest', '--check=yes'], /--check.*does not take an argument/],
    [['migrate:latest', '-x'], /unknown option '-x'/],
  ]
  for (const [args, says] of cases) {
    // One line and where the help is (the whole help was dumped here before: issue 13).
    it(`refuses ${args.join(' ')} in one line, pointing at the command's --help, exit 2`, async () => {
      const { code, stderr, stdout } = await runCli(args, { DATABASE_URL: `postgres://app:${SECRET}@127.0.0.1:1/db` })
      expect(code).toBe(2)
      const lines = stderr.trim().split('\n')
      expect(lines).toHaveLength(2)
      expect(lines[0]).toMatch(says)
      expect(lines[1]).toBe(`Run artorizer-auth-db ${args[0]} --help for usage.`)
      expect(stdout).toBe('')
      expect(stderr + stdout).not.toContain(SECRET)
    })
  }

  it('refuses migrate:down --to a migration that does not exist, naming the known ones', async () => {
    const { code, stderr } = await runCli(['migrate:down', '--to', '9999_nope'], { DATABASE_URL: 'pglite:memory' })
    expect(code).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toContain('there is no migration named "9999_nope"; known: 0001_better_auth, 0002_artorizer_user_link, 0003_indexes, 0004_exact_job_ids')
  })
})

describe('DEBUG', () => {
  it('adds the stack trace, still without the password', async () => {
    const { code, stderr } = await runCli(['migrate:latest'], { DATABASE_URL: `postgres://app:${SECRET}@127.0.0.1:1/db`, DEBUG: '1' })
    expect(code).toBe(1)
    expect(stderr).toContain('connection refused')
    expect(stderr).toMatch(/\n\s+at /)
    expect(stderr).not.toContain(SECRET)
  })
})
