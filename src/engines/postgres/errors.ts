/** PostgreSQL's error codes (SQLSTATE) and pg's messages, as the module reads them. */
import type { ErrorMeaning, ErrorRules } from '../engine.js'
import { errorCode } from '../lock-wait.js'
import { isNetworkLoss, networkMeaningOf } from '../network-errors.js'

const MEANINGS: Readonly<Record<string, ErrorMeaning>> = {
  '28P01': 'credentials-refused', // invalid_password
  '28000': 'credentials-refused', // invalid_authorization_specification
  '3D000': 'database-missing', // invalid_catalog_name
  '42501': 'privilege-missing', // insufficient_privilege
  '25006': 'read-only', // read_only_sql_transaction
}

/** Sessions the server ended: `pg_terminate_backend`, a server shutting down or crashing. */
const LOST_CODES = new Set(['57P01', '57P02'])
/** pg says a dead connection in words, without a code, once the socket is gone. */
const LOST_MESSAGES = /Connection terminated unexpectedly|Client has encountered a connection error and is not queryable/i
/** pg's pool ("timeout exceeded when trying to connect") and client ("Connection terminated due to connection timeout"). */
const TIMEOUT_MESSAGES = /timeout expired|connection timeout|timeout exceeded when trying to connect|connect ETIMEDOUT/i

export const postgresErrors: ErrorRules = {
  isLockTimeout: (error) => errorCode(error) === '55P03',
  isUniqueViolation: (error) => errorCode(error) === '23505',
  isMissingTable: (error) => errorCode(error) === '42P01',
  // No server PostgreSQL's engine runs on aborts a plain read that way.
  isAbortedRead: () => false,
  meaningOf(error) {
    const code = errorCode(error)
    const meaning = networkMeaningOf(error) ?? (code === undefined ? undefined : MEANINGS[code])
    if (meaning) return meaning
    const message = error instanceof Error ? error.message : ''
    if (TIMEOUT_MESSAGES.test(message)) return 'connect-timeout'
    if (LOST_MESSAGES.test(message)) return 'connection-lost'
    if (/The server does not support SSL connections/i.test(message)) return 'tls-unsupported'
    return undefined
  },
  isLostConnection(error) {
    if (!(error instanceof Error)) return false
    const code = errorCode(error)
    return isNetworkLoss(error) || (code !== undefined && LOST_CODES.has(code)) || LOST_MESSAGES.test(error.message)
  },
}
