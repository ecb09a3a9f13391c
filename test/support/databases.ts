/**
 * Fresh, throw-away databases on every engine the module supports, and `describeEachDatabase`
 * to run a suite on each of them.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, inject } from 'vitest'
import { runCli, type ProcessResult } from './bundled-cli.js'
import { connectDatabase, type AuthDatabase } from '../../src/index.js'
import { testDatabaseName } from './leftovers.js'

export type DatabaseKind = 'pglite' | 'postgres' | 'mysql'
export const DATABASE_KINDS: readonly DatabaseKind[] = ['pglite', 'postgres', 'mysql']

export interface TestDatabase {
  readonly kind: DatabaseKind
  /** A `DATABASE_URL` for this database alone. */
  readonly url: string
  /** Opens a new connection (pool) to it; the caller destroys it. */
  connect(): Promise<AuthDatabase>
  /** Removes the database and everything in it. */
  drop(): Promise<void>
}

function serverUrl(kind: 'postgres' | 'mysql'): string | null {
  return kind === 'postgres' ? inject('postgresUrl') : inject('mysqlUrl')
}

/** Why a kind cannot be tested here, or undefined when it can. */
export function unavailableReason(kind: DatabaseKind): string | undefined {
  if (kind === 'pglite') return undefined
  if (serverUrl(kind)) return undefined
  return inject('unavailable')[kind] ?? `TEST_${kind.toUpperCase()}_URL is not set`
}

/**
 * Runs `body` once per engine. A suite whose server is unavailable is skipped, with the reason
 * in its title; in CI it fails instead, so a missing database never passes silently.
 */
export function describeEachDatabase(title: string, body: (kind: DatabaseKind) => void): void {
  for (const kind of DATABASE_KINDS) {
    const reason = unavailableReason(kind)
    if (reason && !process.env.CI) {
      describe.skip(`${title} [${kind}: skipped, ${reason}]`, () => body(kind))
    } else {
      describe(`${title} [${kind}]`, () => body(kind))
    }
  }
}

/** Creates an empty database of `kind` with a unique name. */
export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  const name = testDatabaseName() // names its creator, so that a later run can tell it was left behind
  if (kind === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'artorizer-pglite-'))
    cpSync(inject('pgliteTemplate'), dir, { recursive: true })
    const url = `pglite:${dir}`
    return {
      kind,
      url,
      connect: () => connectDatabase({ url }),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    }
  }
  const server = serverUrl(kind)
  if (!server) throw new Error(`${kind} is not available: ${unavailableReason(kind)}`)
  const url = withDatabase(server, name)
  const admin = await connectDatabase({ url: server })
  const { sql } = await import('kysely')
  try {
    await sql`create database ${sql.id(name)}`.execute(admin.db)
  } finally {
    await admin.db.destroy()
  }
  return {
    kind,
    url,
    connect: () => connectDatabase({ url }),
    drop: async () => {
      const admin = await connectDatabase({ url: server })
      try {
        const force = kind === 'postgres' ? sql` with (force)` : sql``
        await sql`drop database if exists ${sql.id(name)}${force}`.execute(admin.db)
      } finally {
        await admin.db.destroy()
      }
    },
  }
}

function withDatabase(server: string, database: string): string {
  const url = new URL(server)
  url.pathname = `/${database}`
  return url.toString()
}

/** What {@link useSuiteDatabase} hands the suite each time it opens the database. */
export interface OpenedDatabase {
  readonly testDb: TestDatabase
  readonly database: AuthDatabase
}

export interface SuiteDatabase {
  /**
   * Runs the CLI against the suite's database with the suite's connection closed (a PGlite
   * folder has one user at a time), then reopens it (`onOpen` runs again).
   */
  cli(...args: string[]): Promise<ProcessResult>
}

/**
 * Gives the enclosing suite a database of its own: created and connected before its tests,
 * closed and dropped after them. `onOpen` receives it, each time it is (re)opened, so the suite
 * can keep its own `db` variable. `connect` opens it differently (say, with a query log).
 */
export function useSuiteDatabase(
  kind: DatabaseKind,
  onOpen: (opened: OpenedDatabase) => void,
  connect: (testDb: TestDatabase) => Promise<AuthDatabase> = (testDb) => testDb.connect(),
): SuiteDatabase {
  let testDb: TestDatabase | undefined
  let database: AuthDatabase | undefined
  const open = async (): Promise<void> => {
    database = await connect(testDb!)
    onOpen({ testDb: testDb!, database })
  }
  beforeAll(async () => {
    testDb = await createTestDatabase(kind)
    await open()
  })
  afterAll(async () => {
    await database?.db.destroy()
    await testDb?.drop()
  })
  return {
    async cli(...args) {
      await database!.db.destroy()
      try {
        return await runCli(args, { DATABASE_URL: testDb!.url })
      } finally {
        await open()
      }
    },
  }
}

/** Opens `testDb` for `work` and closes it again (PGlite's folder takes one process at a time). */
export async function withOpenDatabase<T>(testDb: TestDatabase, work: (db: Kysely<any>) => Promise<T>): Promise<T> {
  const database = await testDb.connect()
  try {
    return await work(database.db)
  } finally {
    await database.db.destroy()
  }
}
