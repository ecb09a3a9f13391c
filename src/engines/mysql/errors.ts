/** MySQL's and MariaDB's error codes, as mysql2 names them. */
import type { ErrorRules } from '../engine.js'
import { errorCode } from '../lock-wait.js'

export const mysqlErrors: ErrorRules = {
  isLockTimeout: (error) => errorCode(error) === 'ER_LOCK_WAIT_TIMEOUT',
  isUniqueViolation: (error) => errorCode(error) === 'ER_DUP_ENTRY',
  isMissingTable: (error) => errorCode(error) === 'ER_NO_SUCH_TABLE',
}
