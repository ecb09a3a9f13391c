/**
 * The boot check on an up-to-date database, three ways, each from a fresh pool as at a
 * service's start: this module's `migrateToLatest`, Kysely's plain `Migrator.migrateToLatest()`
 * over the same migrations, and Better Auth's `getMigrations`. Round trips are the statements
 * sent, counted by Kysely's `log` hook (it sees every statement, `begin` and `commit`
 * included); opening the connection is the same for all three and not counted.
 */
import { getMigrations } from 'better-auth/db/migration'
import { Kysely, Migrator, MysqlDialect, PostgresDialect, type Dialect, type LogEvent } from 'kysely'
import { connectDatabase, migrateToLatest } from '../src/index.js'
import { MIGRATION_TABLE, guardedProvider } from '../src/tools.js'
import { migrationSet } from '../src/migrator/migration-set.js'
import type { ServerKind } from './servers.js'

export interface BootCheck {
  /** Median of the runs, from a fresh pool to the answer. */
  readonly ms: number
  readonly roundTrips: number
}

export interface BootCheckResult {
  readonly ours: BootCheck
  readonly kyselyMigrator: BootCheck
  readonly betterAuthGetMigrations: BootCheck
}

const RUNS = 7

export async function measureBootCheck(kind: ServerKind, url: string): Promise<BootCheckResult> {
  return {
    ours: await repeat(async (log) => {
      const { db } = await connectDatabase({ url, log })
      try {
        if ((await migrateToLatest(db)).length > 0) throw new Error('the database was not up to date')
      } finally {
        await db.destroy()
      }
    }),
    kyselyMigrator: await repeat(async (log) => {
      const db = new Kysely<any>({ dialect: await plainDialect(kind, url), log })
      try {
        const { error, results } = await new Migrator({
          db,
          provider: guardedProvider(migrationSet().provider, { force: false }),
          migrationTableName: MIGRATION_TABLE,
          migrationLockTableName: 'kysely_migration_lock',
        }).migrateToLatest()
        if (error) throw error
        if (results?.length) throw new Error('the database was not up to date')
      } finally {
        await db.destroy()
      }
    }),
    betterAuthGetMigrations: await repeat(async (log) => {
      const { db, dialect } = await connectDatabase({ url, log })
      try {
        const plan = await getMigrations({ database: { db, type: dialect }, logger: { disabled: true } })
        if (plan.toBeCreated.length > 0 || plan.toBeAdded.length > 0) throw new Error('Better Auth found work to do')
      } finally {
        await db.destroy()
      }
    }),
  }
}

/** Runs `check` RUNS times; the median time, and the round trips of the last run. */
async function repeat(check: (log: (event: LogEvent) => void) => Promise<void>): Promise<BootCheck> {
  const times: number[] = []
  let roundTrips = 0
  for (let i = 0; i < RUNS; i++) {
    let count = 0
    const started = performance.now()
    await check(() => count++)
    times.push(performance.now() - started)
    roundTrips = count
  }
  times.sort((a, b) => a - b)
  return { ms: times[Math.floor(times.length / 2)]!, roundTrips }
}

/** Kysely's own dialects with their own migration lock, as an app that uses Kysely alone has. */
async function plainDialect(kind: ServerKind, url: string): Promise<Dialect> {
  if (kind === 'postgres') {
    const { default: pg } = await import('pg')
    return new PostgresDialect({ pool: new pg.Pool({ connectionString: url }) })
  }
  const { createPool } = await import('mysql2')
  return new MysqlDialect({ pool: createPool({ uri: url, timezone: 'Z' }) })
}
