/** MySQL's and MariaDB's error codes, as mysql2 names them, and mysql2's messages. */
import type { ErrorMeaning, ErrorRules } from '../engine.js'
import { errorCode } from '../lock-wait.js'
import { isNetworkLoss, networkMeaningOf } from '../network-errors.js'

const MEANINGS: Readonly<Record<string, ErrorMeaning>> = {
  ER_ACCESS_DENIED_ERROR: 'credentials-refused',
  ER_DBACCESS_DENIED_ERROR: 'database-access-denied',
  ER_BAD_DB_ERROR: 'database-missing',
  ER_TABLEACCESS_DENIED_ERROR: 'privilege-missing',
  ER_SPECIFIC_ACCESS_DENIED_ERROR: 'privilege-missing',
  ER_COLUMNACCESS_DENIED_ERROR: 'privilege-missing',
  ER_OPTION_PREVENTS_STATEMENT: 'read-only', // --read-only, or super_read_only
  ER_READ_ONLY_MODE: 'read-only',
  ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION: 'read-only',
  PROTOCOL_CONNECTION_LOST: 'connection-lost',
  HANDSHAKE_NO_SSL_SUPPORT: 'tls-unsupported', // mysql2: the URL asks for TLS, the server offers none
  // mysql2 replaces Node's code of a failed TLS handshake (SELF_SIGNED_CERT_IN_CHAIN...) with its own.
  HANDSHAKE_SSL_ERROR: 'tls-certificate-rejected',
}

const LOST_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ER_CONNECTION_KILLED', // MariaDB's answer to KILL, when it gets to send one
  'ER_SERVER_SHUTDOWN',
])
/** mysql2's words for a query on a connection that has already closed. */
const LOST_MESSAGES = /Can't add new command when connection is in closed state|Can't write in closed state/i

export const mysqlErrors: ErrorRules = {
  isLockTimeout: (error) => errorCode(error) === 'ER_LOCK_WAIT_TIMEOUT',
  isUniqueViolation: (error) => errorCode(error) === 'ER_DUP_ENTRY',
  isMissingTable: (error) => errorCode(error) === 'ER_NO_SUCH_TABLE',
  // A read takes no row lock that could deadlock: on a read, this is Galera's brute-force abort.
  isAbortedRead: (error) => errorCode(error) === 'ER_LOCK_DEADLOCK',
  meaningOf(error) {
    const code = errorCode(error)
    return networkMeaningOf(error) ?? (code === undefined ? undefined : MEANINGS[code])
  },
  isLostConnection(error) {
    if (!(error instanceof Error)) return false
    const code = errorCode(error)
    return isNetworkLoss(error) || (code !== undefined && LOST_CODES.has(code)) || LOST_MESSAGES.test(error.message)
  },
}
