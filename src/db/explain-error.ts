/**
 * Turns a driver's error into one line that says what is wrong and what to do. Driver messages
 * name hosts and users but never the password; this adds nothing that could contain one.
 */
import { ConnectionError, MigrationFailedError, describeError } from '../errors.js'
import { describeTarget, type DatabaseTarget } from './url.js'

interface DriverError {
  readonly code?: string
  readonly errno?: number
  readonly message?: string
}

export function explainDatabaseError(error: unknown, target: DatabaseTarget): Error {
  if (!(error instanceof Error)) return new ConnectionError(describeError(error))
  // Kysely's Migrator reports a lost connection as its own failure, before any migration ran.
  if (error instanceof MigrationFailedError && error.migrationName === undefined && error.cause instanceof Error) {
    const explained = explainDatabaseError(error.cause, target)
    return explained === error.cause ? error : explained
  }
  const code = (error as DriverError).code
  const where = describeTarget(target)
  const user = target.kind === 'pglite' ? '' : decodeURIComponent(new URL(target.url).username)
  switch (code) {
    case 'ECONNREFUSED':
      return new ConnectionError(`cannot connect to ${where}: connection refused; is the database server running on that host and port?`)
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConnectionError(`cannot connect to ${where}: unknown host; check the host name in DATABASE_URL`)
    case 'ETIMEDOUT':
      return new ConnectionError(`cannot connect to ${where}: timed out; check the host, port and firewall`)
    case '28P01':
    case '28000':
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_DBACCESS_DENIED_ERROR':
      return new ConnectionError(`the database refused user "${user}" at ${where}; check the user and password in DATABASE_URL`)
    case '3D000':
    case 'ER_BAD_DB_ERROR':
      return new ConnectionError(`the database named in ${where} does not exist; create it first (CREATE DATABASE ...)`)
    case '42501':
    case 'ER_TABLEACCESS_DENIED_ERROR':
    case 'ER_SPECIFIC_ACCESS_DENIED_ERROR':
      return new ConnectionError(`user "${user}" lacks a privilege the migration needs (${describeError(error)}); grant CREATE, ALTER, INDEX and REFERENCES, see README "Least privileges"`)
    case '25006':
    case 'ER_OPTION_PREVENTS_STATEMENT':
    case 'ER_READ_ONLY_MODE':
      return new ConnectionError(`${where} is read-only (${describeError(error)}); point DATABASE_URL at the primary`)
  }
  if (/timeout expired|connection timeout|connect ETIMEDOUT/i.test(error.message)) {
    return new ConnectionError(`cannot connect to ${where}: timed out; check the host, port and firewall`)
  }
  return error
}
