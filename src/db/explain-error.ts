/**
 * Turns a driver's error into one line that says what is wrong and what to do. Driver messages
 * name hosts and users but never the password; this adds nothing that could contain one, and
 * scrubs the URL's password from any message it passes on, in case a driver ever quotes it.
 */
import { AuthDbError, ConnectionError, MigrationFailedError, describeError } from '../errors.js'
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
  // Already explained (e.g. by the driver wrapper, for a connection lost mid-query).
  if (error instanceof AuthDbError) return error
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

/**
 * How the drivers report a connection that died while it was open (checked out, or running a
 * query): the server ended the session (`pg_terminate_backend`, `KILL`, a restart or failover),
 * or the network dropped it. pg says it in words, without a code, once the socket is gone.
 */
const LOST_CODES = new Set([
  '57P01', // admin_shutdown: pg_terminate_backend, or a server shutting down
  '57P02', // crash_shutdown
  'ECONNRESET',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CONNECTION_KILLED', // MariaDB's answer to KILL, when it gets to send one
  'ER_SERVER_SHUTDOWN',
])
const LOST_MESSAGES =
  /Connection terminated unexpectedly|Client has encountered a connection error and is not queryable|Can't add new command when connection is in closed state|Can't write in closed state/i

/**
 * Explains an error of a query on an open connection when it means the connection is gone, or
 * returns undefined for any other error (a query's own errors keep their driver code for the
 * caller). Unlike {@link explainDatabaseError}, which is for a failure to connect, the hint is to
 * retry, not to check `DATABASE_URL`: the connection worked until the server or network ended it.
 */
export function explainLostConnection(error: unknown, target: DatabaseTarget): ConnectionError | undefined {
  if (!isLostConnection(error)) return undefined
  return new ConnectionError(
    `lost the connection to ${describeTarget(target)} during a query (${scrub(describeError(error), target)}); ` +
      'the server or the network ended the session (a restart, a failover, or an administrator); try again',
    { cause: error },
  )
}

/** Whether a driver's error means the connection it came from is dead (see `LOST_CODES`). */
export function isLostConnection(error: unknown): error is Error {
  if (!(error instanceof Error) || error instanceof AuthDbError) return false
  const code = (error as DriverError).code
  return (code !== undefined && LOST_CODES.has(code)) || LOST_MESSAGES.test(error.message)
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
