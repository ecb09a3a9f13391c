/**
 * Turns a driver's error into one line that says what is wrong and what to do. Driver messages
 * name hosts and users but never the password; this adds nothing that could contain one, and
 * scrubs the URL's password from any message it passes on, in case a driver ever quotes it.
 */
import { ConnectionError, MigrationFailedError, describeError } from '../errors.js'
import { describeTarget, type DatabaseTarget } from './url.js'

interface DriverError {
  readonly code?: string
  readonly errno?: number
  readonly message?: string
}

export function explainDatabaseError(error: unknown, target: DatabaseTarget): Error {
  if (!(error instanceof Error)) return new ConnectionError(scrub(describeError(error), target))
  if (error instanceof MigrationFailedError && error.cause instanceof Error) {
    const explained = explainDatabaseError(error.cause, target)
    if (explained === error.cause) return error
    // Kysely's Migrator reports a lost connection as its own failure, before any migration ran.
    if (error.migrationName === undefined) return explained
    return new MigrationFailedError(error.migrationName, explained)
  }
  const code = (error as DriverError).code
  const where = describeTarget(target)
  const user = target.kind === 'pglite' ? '' : decodeURIComponent(new URL(target.url).username)
  const detail = scrub(describeError(error), target)
  switch (code) {
    case 'ECONNREFUSED':
      return new ConnectionError(`cannot connect to ${where}: connection refused; is the database server running on that host and port?`, { cause: error })
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new ConnectionError(`cannot connect to ${where}: unknown host; check the host name in DATABASE_URL`, { cause: error })
    case 'ETIMEDOUT':
      return timedOut(where, error)
    case 'ECONNRESET':
    case 'EPIPE':
    case 'PROTOCOL_CONNECTION_LOST':
      return new ConnectionError(`lost the connection to ${where} (${detail}); check that DATABASE_URL points at a PostgreSQL or MySQL server and that it is up`, { cause: error })
    case '28P01':
    case '28000':
    case 'ER_ACCESS_DENIED_ERROR':
      return new ConnectionError(`the database refused user "${user}" at ${where}; check the user and password in DATABASE_URL`, { cause: error })
    case 'ER_DBACCESS_DENIED_ERROR':
      return new ConnectionError(`user "${user}" may not use the database named in ${where}; grant it access (see README "Least privileges") or fix DATABASE_URL`, { cause: error })
    case '3D000':
    case 'ER_BAD_DB_ERROR':
      return new ConnectionError(`the database named in ${where} does not exist; create it first (CREATE DATABASE ...)`, { cause: error })
    case '42501':
    case 'ER_TABLEACCESS_DENIED_ERROR':
    case 'ER_SPECIFIC_ACCESS_DENIED_ERROR':
    case 'ER_COLUMNACCESS_DENIED_ERROR':
      return new ConnectionError(`user "${user}" lacks a privilege the migration needs (${detail}); grant the migrating role's privileges, see README "Least privileges"`, { cause: error })
    case '25006':
    case 'ER_OPTION_PREVENTS_STATEMENT':
    case 'ER_READ_ONLY_MODE':
    case 'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION':
      return new ConnectionError(`${where} is read-only for user "${user}" (${detail}); point DATABASE_URL at the primary, with a user that may write`, { cause: error })
  }
  // pg's pool ("timeout exceeded when trying to connect") and client ("Connection terminated due
  // to connection timeout") say it in words, without a code.
  if (/timeout expired|connection timeout|timeout exceeded when trying to connect|connect ETIMEDOUT/i.test(error.message)) {
    return timedOut(where, error)
  }
  if (/Connection terminated unexpectedly/i.test(error.message)) {
    return new ConnectionError(`lost the connection to ${where}; check that DATABASE_URL points at a PostgreSQL or MySQL server and that it is up`, { cause: error })
  }
  if (detail !== describeError(error)) return new ConnectionError(detail, { cause: error })
  return error
}

function timedOut(where: string, cause: Error): ConnectionError {
  return new ConnectionError(
    `cannot connect to ${where}: timed out; check the host, port and firewall (DATABASE_CONNECT_TIMEOUT_MS sets how long to wait)`,
    { cause },
  )
}

/** Removes the URL's password from a message, should a driver ever quote it. */
function scrub(message: string, target: DatabaseTarget): string {
  if (target.kind === 'pglite') return message
  let password: string
  try {
    password = new URL(target.url).password
  } catch {
    return message
  }
  if (!password) return message
  let result = message
  for (const form of new Set([password, safeDecode(password)])) {
    if (form) result = result.split(form).join('***')
  }
  return result
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}
