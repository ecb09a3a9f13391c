/**
 * Turns a driver's error into one line that says what is wrong and what to do. Driver messages
 * name hosts and users but never the password; this adds nothing that could contain one, and
 * scrubs the URL's password from any message it passes on, in case a driver ever quotes it.
 */
import { AuthDbError, ConnectionError, MigrationFailedError, describeError } from '../errors.js'
import type { ErrorMeaning } from '../engines/engine.js'
import { engineForTarget } from '../engines/index.js'
import { describeTarget, type DatabaseTarget } from './url.js'

/**
 * How each meaning is worded. The engine (`src/engines/<name>/errors.ts`) says what its codes
 * mean; this says it to the person running the command, the same way for every engine.
 */
const EXPLANATIONS: Readonly<Record<ErrorMeaning, (at: Where, error: Error) => string>> = {
  'connection-refused': ({ where }) => `cannot connect to ${where}: connection refused; is the database server running on that host and port?`,
  'unknown-host': ({ where }) => `cannot connect to ${where}: unknown host; check the host name in DATABASE_URL`,
  'connect-timeout': ({ where }) =>
    `cannot connect to ${where}: timed out; check the host, port and firewall (DATABASE_CONNECT_TIMEOUT_MS sets how long to wait)`,
  'connection-lost': ({ where, detail }) =>
    `lost the connection to ${where} (${detail}); check that DATABASE_URL points at a PostgreSQL or MySQL server and that it is up`,
  'credentials-refused': ({ where, user }) => `the database refused user "${user}" at ${where}; check the user and password in DATABASE_URL`,
  'database-access-denied': ({ where, user }) =>
    `user "${user}" may not use the database named in ${where}; grant it access (see README "Least privileges") or fix DATABASE_URL`,
  'database-missing': ({ where }) => `the database named in ${where} does not exist; create it first (CREATE DATABASE ...)`,
  'privilege-missing': ({ user, detail }) =>
    `user "${user}" lacks a privilege the migration needs (${detail}); grant the migrating role's privileges, see README "Least privileges"`,
  'read-only': ({ where, user, detail }) => `${where} is read-only for user "${user}" (${detail}); point DATABASE_URL at the primary, with a user that may write`,
}

/** What an explanation may name: the target (password hidden), its user, the driver's message (scrubbed). */
interface Where {
  readonly where: string
  readonly user: string
  readonly detail: string
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
  const detail = scrub(describeError(error), target)
  const meaning = engineForTarget(target).errors.meaningOf(error)
  if (meaning) {
    const at: Where = { where: describeTarget(target), user: userOf(target), detail }
    return new ConnectionError(EXPLANATIONS[meaning](at, error), { cause: error })
  }
  if (detail !== describeError(error)) return new ConnectionError(detail, { cause: error })
  return error
}

/**
 * Explains an error of a query on an open connection when it means the connection is gone, or
 * returns undefined for any other error (a query's own errors keep their driver code for the
 * caller). Unlike {@link explainDatabaseError}, which is for a failure to connect, the hint is to
 * retry, not to check `DATABASE_URL`: the connection worked until the server or network ended it.
 */
export function explainLostConnection(error: unknown, target: DatabaseTarget): ConnectionError | undefined {
  if (error instanceof AuthDbError || !engineForTarget(target).errors.isLostConnection(error)) return undefined
  return new ConnectionError(
    `lost the connection to ${describeTarget(target)} during a query (${scrub(describeError(error), target)}); ` +
      'the server or the network ended the session (a restart, a failover, or an administrator); try again',
    { cause: error },
  )
}

/** The user a server URL names; an embedded database has none. */
function userOf(target: DatabaseTarget): string {
  return 'url' in target ? safeDecode(new URL(target.url).username) : ''
}

/** Removes the URL's password from a message, should a driver ever quote it. */
function scrub(message: string, target: DatabaseTarget): string {
  if (!('url' in target)) return message
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
