/**
 * Turns a driver's error into one line that says what is wrong and what to do. Driver messages
 * name hosts and users but never the password; this adds nothing that could contain one, and
 * scrubs the URL's password from any message it passes on, in case a driver ever quotes it.
 */
import { AuthDbError, ConnectionError, MigrationFailedError, describeError } from '../errors.js'
import type { ErrorMeaning } from '../engines/engine.js'
import { engineForTarget } from '../engines/index.js'
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../database-url/parameters.js'
import { describeAddress, describeTarget, type DatabaseTarget } from '../database-url/url.js'

/**
 * How each meaning is worded. The engine (`src/engines/<name>/errors.ts`) says what its codes
 * mean; this says it to the person running the command, the same way for every engine.
 */
const EXPLANATIONS: Readonly<Record<ErrorMeaning, (at: Where, error: Error) => string>> = {
  'connection-refused': ({ where }) => `cannot connect to ${where}: connection refused; is the database server running on that host and port?`,
  'unknown-host': ({ where }) => `cannot connect to ${where}: unknown host; check the host name in DATABASE_URL`,
  'connect-timeout': ({ where, address, timeoutMs }) =>
    `cannot connect to ${where}: timed out connecting to ${address} after ${timeoutMs} ms; check the host, port and firewall (connect_timeout in DATABASE_URL, in seconds, or DATABASE_CONNECT_TIMEOUT_MS sets how long to wait)`,
  // Explained here only while connecting (a lost open connection is `explainLostConnection`'s):
  // something answered at that address and hung up before the handshake finished.
  'connection-lost': ({ where, address, detail }) =>
    `cannot connect to ${where}: ${address} closed the connection before the database handshake finished (${detail}); check that DATABASE_URL points at a PostgreSQL or MySQL server (not a proxy or another service) and that it is up`,
  'credentials-refused': ({ where, user }) => `the database refused user ${user} at ${where}; check the user and password in DATABASE_URL`,
  'database-access-denied': ({ where, user }) =>
    `user ${user} may not use the database named in ${where}; grant it access (see docs/least-privileges.md) or fix DATABASE_URL`,
  'database-missing': ({ where }) => `the database named in ${where} does not exist; create it first (CREATE DATABASE ...)`,
  'privilege-missing': ({ user, detail }) =>
    `user ${user} lacks a privilege the migration needs (${detail}); grant the migrating role's privileges, see docs/least-privileges.md`,
  'read-only': ({ where, user, detail }) => `${where} is read-only for user ${user} (${detail}); point DATABASE_URL at the primary, with a user that may write`,
  'tls-unsupported': ({ where }) =>
    `cannot connect to ${where}: DATABASE_URL requires TLS and the server does not offer it (nothing was sent in plaintext); turn TLS on at the server, or check the host and port`,
  'tls-certificate-rejected': ({ where, detail }) =>
    `cannot connect to ${where}: the server's TLS certificate was not accepted (${detail}); give the CA that signed it (sslrootcert=<file> on PostgreSQL, ssl-ca=<file> on MySQL) and connect to a host name it names`,
}

/** What an explanation may name: the target (password hidden), its user, the driver's message (scrubbed). */
interface Where {
  readonly where: string
  readonly user: string
  readonly detail: string
  /** `host:port` (or the socket) connected to, and how long connecting may take. */
  readonly address: string
  readonly timeoutMs: number | string
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
    const at: Where = { where: describeTarget(target), user: userOf(target), detail, ...addressOf(target) }
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
    { cause: error, transient: true },
  )
}

/** Where a server target connects, and with which timeout (`connectDatabase` records it). */
function addressOf(target: DatabaseTarget): Pick<Where, 'address' | 'timeoutMs'> {
  if (!('connection' in target)) return { address: describeTarget(target), timeoutMs: DEFAULT_CONNECT_TIMEOUT_MS }
  const connection = target.connection
  return { address: describeAddress(connection, engineForTarget(target).defaultPort ?? 0), timeoutMs: connection.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS }
}

/** The user a server URL names, quoted, as a message names it; an embedded database has none. */
function userOf(target: DatabaseTarget): string {
  if (!('connection' in target)) return '""'
  const user = target.connection.user
  return user === undefined ? "(the driver's default: DATABASE_URL names none)" : `"${user}"`
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
