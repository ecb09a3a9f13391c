/** PostgreSQL's error codes (SQLSTATE), as the module reads them. */
import type { ErrorRules } from '../engine.js'
import { errorCode } from '../lock-wait.js'

export const postgresErrors: ErrorRules = {
  isLockTimeout: (error) => errorCode(error) === '55P03',
  isUniqueViolation: (error) => errorCode(error) === '23505',
  isMissingTable: (error) => errorCode(error) === '42P01',
}
