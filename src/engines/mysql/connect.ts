/**
 * Connecting to MySQL or MariaDB through `mysql2` (imported only when a MySQL URL is used).
 */
import { MysqlDialect, type Dialect } from 'kysely'
import type { PoolOptions, SslOptions } from 'mysql2'
import { nodeTlsOptions } from '../../database-url/tls.js'
import type { ServerConnection, TlsSettings } from '../../database-url/url.js'
import type { DialectOptions } from '../engine.js'
import { MysqlLockingAdapter } from './migration-lock.js'

/** MySQL's port when the URL names none. */
export const MYSQL_DEFAULT_PORT = 3306

/**
 * mysql2's `ssl` for `tls`. mysql2 checks the host name only when asked (`verifyIdentity`), and
 * refuses a server that offers no TLS (`HANDSHAKE_NO_SSL_SUPPORT`): never plaintext.
 */
export function mysqlSslOptions(tls: TlsSettings): SslOptions {
  const { ca, cert, key, rejectUnauthorized } = nodeTlsOptions(tls)
  return {
    ...(ca !== undefined ? { ca: ca as string } : {}),
    ...(cert !== undefined ? { cert: cert as string } : {}),
    ...(key !== undefined ? { key: key as string } : {}),
    rejectUnauthorized: rejectUnauthorized ?? true,
    verifyIdentity: tls.verify === 'full',
  }
}

/** mysql2's options for `connection` (given options, not the URL, which mysql2 reads loosely). */
export function mysqlPoolConfig(connection: ServerConnection, connectTimeoutMs: number): PoolOptions {
  return {
    host: connection.host,
    port: connection.port ?? MYSQL_DEFAULT_PORT,
    database: connection.database,
    ...(connection.user !== undefined ? { user: connection.user } : {}),
    ...(connection.password !== undefined ? { password: connection.password } : {}),
    ...(connection.tls ? { ssl: mysqlSslOptions(connection.tls) } : {}),
    connectTimeout: connectTimeoutMs,
  }
}

export async function createMysqlDialect(connection: ServerConnection, options: DialectOptions): Promise<Dialect> {
  const { createPool } = await import('mysql2')
  const pool = createPool({
    ...mysqlPoolConfig(connection, options.connectTimeoutMs),
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
      return new MysqlLockingAdapter({ ...options, pool })
    }
  })({ pool })
}
