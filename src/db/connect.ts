import { mkdirSync } from 'node:fs'
import { Kysely, MysqlDialect, PostgresDialect, type Dialect, type LogConfig, type PostgresPool, type PostgresPoolClient } from 'kysely'
import type { Database } from './schema.js'
import type { MigrationLockOptions } from '../engines/engine.js'
import { mysql, postgres } from '../engines/index.js'
import { PGliteDialect } from '../engines/pglite/dialect.js'
import { lockPgliteFolder } from '../engines/pglite/folder-lock.js'
import { parseDatabaseUrl, sqlDialectOf, type DatabaseTarget, type SqlDialect } from './url.js'
import { databaseUrlFromEnv, timeoutsFromEnv } from './env.js'
import { withSafeConnectErrors } from './safe-errors-driver.js'
import { isLostConnection } from './explain-error.js'
import type { Pool, PoolClient } from 'pg'

/** How long to wait for a TCP connection to the database, by default. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000

export interface ConnectOptions extends MigrationLockOptions {
  /** A `DATABASE_URL`; when omitted, the environment's (or `.env`'s), else the embedded default. */
  readonly url?: string
  /** Give up connecting after this many milliseconds (default: `DATABASE_CONNECT_TIMEOUT_MS`, else 10 s). */
  readonly connectTimeoutMs?: number
  /** Kysely's `log` option: levels to log, or a function called after every query (e.g. to count them). */
  readonly log?: LogConfig
}

/** A connected database: the typed Kysely instance and what it points at. */
export interface AuthDatabase {
  readonly db: Kysely<Database>
  readonly target: DatabaseTarget
  readonly dialect: SqlDialect
}

/**
 * Opens the database named by `options.url` (or `DATABASE_URL`). Only the driver that the URL
 * needs is imported. Nothing is sent to the server until the first query.
 *
 * Timeouts left out of `options` come from `DATABASE_CONNECT_TIMEOUT_MS` and
 * `MIGRATION_LOCK_TIMEOUT_MS`, else the defaults. A failure to connect, in any later query,
 * rejects with a {@link ConnectionError} whose message says what to fix and never holds the
 * password.
 *
 * @throws {UsageError} when the URL or a timeout variable is malformed (message without password).
 */
export async function connectDatabase(options: ConnectOptions = {}): Promise<AuthDatabase> {
  const target = parseDatabaseUrl(options.url ?? databaseUrlFromEnv())
  const fromEnv = timeoutsFromEnv()
  const resolved: ConnectOptions = {
    ...options,
    connectTimeoutMs: options.connectTimeoutMs ?? fromEnv.connectTimeoutMs,
    lockTimeoutMs: options.lockTimeoutMs ?? fromEnv.lockTimeoutMs,
  }
  const dialect = withSafeConnectErrors(await createDialect(target, resolved), target)
  const db = new Kysely<Database>({ dialect, log: options.log })
  return { db, target, dialect: sqlDialectOf(target) }
}

async function createDialect(target: DatabaseTarget, options: ConnectOptions): Promise<Dialect> {
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
  switch (target.kind) {
    case 'postgres': {
      const { default: pg } = await import('pg')
      const pool = new pg.Pool({ connectionString: target.url, connectionTimeoutMillis: connectTimeoutMs })
      // An idle client that loses its server emits 'error' on the pool; without a listener
      // Node would crash the whole router-backend. The next query reports the failure instead.
      pool.on('error', () => {})
      // A client checked out of the pool (a migration, a transaction, `db.connection()`) emits
      // 'error' on itself instead, and pg-pool listens only while the client is idle: without
      // this, `pg_terminate_backend` or a restart mid-operation is an unhandled 'error' event that
      // kills the process. The query in progress (or the next one on that client) still rejects,
      // and the driver wrapper makes that a one-line ConnectionError; on release the client is
      // destroyed (by pg-pool, or `discardingLostClients`), so the next checkout gets a new one.
      pool.on('connect', (client) => {
        client.on('error', () => {})
      })
      return new (class extends PostgresDialect {
        override createAdapter() {
          return postgres.createAdapter(options)
        }
      })({ pool: discardingLostClients(pool) })
    }
    case 'mysql': {
      const { createPool } = await import('mysql2')
      const pool = createPool({
        uri: target.url,
        connectTimeout: connectTimeoutMs,
        // DATETIME has no zone: read and write it as UTC, whatever the host's zone is.
        timezone: 'Z',
        charset: 'utf8mb4_unicode_ci',
        supportBigNumbers: true,
      })
      // mysql2's pooled connections listen for their first 'error' only (to leave the pool); a
      // dead connection can emit another ("Can't write in closed state"), which would be an
      // unhandled 'error' event. The failed query rejects either way.
      pool.on('connection', (connection) => {
        connection.on('error', () => {})
      })
      return new (class extends MysqlDialect {
        override createAdapter() {
          return mysql.createAdapter(options)
        }
      })({ pool })
    }
    case 'pglite': {
      const dataDir = target.dataDir
      let unlock: (() => void) | undefined
      return new PGliteDialect({
        pglite: async () => {
          if (dataDir) {
            mkdirSync(dataDir, { recursive: true })
            unlock = lockPgliteFolder(dataDir)
          }
          try {
            const { PGlite } = await import('@electric-sql/pglite')
            return new PGlite(dataDir)
          } catch (error) {
            unlock?.()
            throw error
          }
        },
        onDestroy: () => unlock?.(),
      })
    }
  }
}

/**
 * `pool`, with clients that go back to it destroyed when one of their queries failed because
 * the connection died. pg-pool destroys a released client it knows is broken, but when the
 * server ends a session during a query (`pg_terminate_backend`), the query fails with the
 * server's message before the socket closes: released at once, the client would look healthy
 * and be handed to the next query, which would fail too. Kysely looks its connections up by
 * client, so each client gets one wrapper.
 */
function discardingLostClients(pool: Pool): PostgresPool {
  const wrappers = new WeakMap<PoolClient, PostgresPoolClient>()
  return {
    connect: async () => {
      const client = await pool.connect()
      let wrapper = wrappers.get(client)
      if (!wrapper) {
        let lost = false
        wrapper = {
          query: ((...args: Parameters<PoolClient['query']>) => {
            const result: unknown = (client.query as (...a: unknown[]) => unknown)(...args)
            if (result instanceof Promise) {
              result.catch((error: unknown) => {
                if (isLostConnection(error)) lost = true
              })
            }
            return result
          }) as PostgresPoolClient['query'],
          release: (destroy) => client.release(destroy || lost),
        }
        wrappers.set(client, wrapper)
      }
      return wrapper
    },
    end: () => pool.end(),
  }
}
