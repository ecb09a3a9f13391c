/**
 * Connecting to MySQL or MariaDB through `mysql2` (imported only when a MySQL URL is used).
 */
import { MysqlDialect, type Dialect } from 'kysely'
import type { DialectOptions } from '../engine.js'
import { MysqlLockingAdapter } from './migration-lock.js'

export async function createMysqlDialect(url: string, options: DialectOptions): Promise<Dialect> {
  const connectTimeoutMs = options.connectTimeoutMs
  const { createPool } = await import('mysql2')
  const pool = createPool({
    uri: url,
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
      return new MysqlLockingAdapter({ ...options, pool })
    }
  })({ pool })
}
