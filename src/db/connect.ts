import { Kysely, type Dialect, type LogConfig } from 'kysely'
import type { Database } from '../model/database.js'
import type { EmbeddedDatabaseOptions, MigrationLockOptions } from '../engines/engine.js'
import { engineForTarget } from '../engines/index.js'
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../database-url/parameters.js'
import { parseDatabaseUrl, sqlDialectOf, type DatabaseTarget, type SqlDialect } from '../database-url/url.js'
import { databaseUrlFromEnv, timeoutsFromEnv } from './env.js'
import { withSafeConnectErrors } from './safe-errors-driver.js'

export { DEFAULT_CONNECT_TIMEOUT_MS }

export interface ConnectOptions extends MigrationLockOptions, EmbeddedDatabaseOptions {
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
 * Timeouts left out of `options` come from `DATABASE_CONNECT_TIMEOUT_MS`,
 * `MIGRATION_LOCK_TIMEOUT_MS` and `DATABASE_ANSWER_TIMEOUT_MS`, else the defaults. A failure to connect, in any later query,
 * rejects with a {@link ConnectionError} whose message says what to fix and never holds the
 * password.
 *
 * @throws {UsageError} when the URL or a timeout variable is malformed (message without password).
 */
export async function connectDatabase(options: ConnectOptions = {}): Promise<AuthDatabase> {
  const parsed = parseDatabaseUrl(options.url ?? databaseUrlFromEnv())
  const fromEnv = timeoutsFromEnv()
  const connectTimeoutMs = resolveConnectTimeout(options.connectTimeoutMs, parsed, fromEnv.connectTimeoutMs)
  // The target remembers the timeout it is opened with, so that a timeout says how long it waited.
  const target: DatabaseTarget = parsed.kind === 'pglite' ? parsed : { ...parsed, connection: { ...parsed.connection, connectTimeoutMs } }
  const resolved = {
    ...options,
    connectTimeoutMs,
    lockTimeoutMs: options.lockTimeoutMs ?? fromEnv.lockTimeoutMs,
    answerTimeoutMs: options.answerTimeoutMs ?? fromEnv.answerTimeoutMs,
  }
  const dialect = withSafeConnectErrors(await createDialect(target, resolved), target)
  const db = new Kysely<Database>({ dialect, log: options.log })
  return { db, target, dialect: sqlDialectOf(target) }
}

/**
 * How long connecting may take, the most specific setting first: the caller's
 * `connectTimeoutMs`, the URL's `connect_timeout` (seconds, as libpq), `DATABASE_CONNECT_TIMEOUT_MS`,
 * else {@link DEFAULT_CONNECT_TIMEOUT_MS}. Always bounded: none of them may be 0 (no limit).
 */
export function resolveConnectTimeout(fromCaller: number | undefined, target: DatabaseTarget, fromEnv: number | undefined): number {
  const fromUrl = target.kind === 'pglite' ? undefined : target.connection.connectTimeoutMs
  return fromCaller ?? fromUrl ?? fromEnv ?? DEFAULT_CONNECT_TIMEOUT_MS
}

function createDialect(target: DatabaseTarget, options: ConnectOptions & { connectTimeoutMs: number }): Promise<Dialect> {
  return engineForTarget(target).createDialect(target, options)
}
