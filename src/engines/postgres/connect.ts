/**
 * Connecting to PostgreSQL through `pg` (imported only when a PostgreSQL URL is used).
 */
import { PostgresDialect, type Dialect, type PostgresPool, type PostgresPoolClient } from 'kysely'
import type { PoolClient, PoolConfig } from 'pg'
import { postgresErrors } from './errors.js'
import { nodeTlsOptions } from '../../database-url/tls.js'
import type { ServerConnection } from '../../database-url/url.js'
import type { DialectOptions } from '../engine.js'
import { PostgresLockingAdapter } from './migration-lock.js'
import { postgresSessions } from './sessions.js'
import { postgresServers, type PostgresServers } from './servers.js'

/** PostgreSQL's port when the URL names none. */
export const POSTGRES_DEFAULT_PORT = 5432

/**
 * pg's options for `connection`. pg is given options, not the URL: its URL parser would print a
 * multi-line SECURITY WARNING for `sslmode=require`, and `ssl: false` keeps `PGSSLMODE` from
 * turning TLS on or off behind the URL's back. A `host` starting with `/` is a socket folder,
 * which pg connects to as libpq does (`<folder>/.s.PGSQL.<port>`).
 */
export function postgresPoolConfig(connection: ServerConnection, connectTimeoutMs: number): PoolConfig {
  return {
    host: connection.host,
    port: connection.port ?? POSTGRES_DEFAULT_PORT,
    database: connection.database,
    ...(connection.user !== undefined ? { user: connection.user } : {}),
    ...(connection.password !== undefined ? { password: connection.password } : {}),
    ...(connection.applicationName !== undefined ? { application_name: connection.applicationName } : {}),
    ssl: connection.tls ? nodeTlsOptions(connection.tls) : false,
    connectionTimeoutMillis: connectTimeoutMs,
  }
}

export async function createPostgresDialect(connection: ServerConnection, options: DialectOptions): Promise<Dialect> {
  const config = postgresPoolConfig(connection, options.connectTimeoutMs)
  const { default: pg } = await import('pg')
  // Every client, pooled or dedicated, has an 'error' listener (`postgresServers`): a client
  // checked out of the pool (a migration, a transaction, `db.connection()`) emits 'error' on
  // itself, and pg-pool listens only while the client is idle, so `pg_terminate_backend` or a
  // restart mid-operation would be an unhandled 'error' event that kills the process. The query
  // in progress (or the next one on that client) still rejects, and the driver wrapper makes
  // that a one-line ConnectionError; on release the client is destroyed (by pg-pool, or
  // `discardingLostClients`), so the next checkout gets a new one.
  const servers = postgresServers(pg, connection, config)
  const sessions = postgresSessions(servers)
  return new (class extends PostgresDialect {
    override createAdapter() {
      return new PostgresLockingAdapter(options, sessions)
    }
  })({ pool: discardingLostClients(servers) })
}

/**
 * `pool`, with clients that go back to it destroyed when one of their queries failed because
 * the connection died. pg-pool destroys a released client it knows is broken, but when the
 * server ends a session during a query (`pg_terminate_backend`), the query fails with the
 * server's message before the socket closes: released at once, the client would look healthy
 * and be handed to the next query, which would fail too. Kysely looks its connections up by
 * client, so each client gets one wrapper.
 */
function discardingLostClients(pool: Pick<PostgresServers, 'connect' | 'end'>): PostgresPool {
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
                if (postgresErrors.isLostConnection(error)) lost = true
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
