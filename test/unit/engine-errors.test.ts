/**
 * Each engine's error rules: which driver codes and messages mean what (the meanings that
 * `explainDatabaseError` words), and which mean the connection is dead.
 */
import { describe, expect, it } from 'vitest'
import { mysql, postgres } from '../../src/engines/index.js'

function driverError(message: string, code?: string): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code })
}

describe('error meanings', () => {
  it.each([
    ['28P01', 'credentials-refused'],
    ['28000', 'credentials-refused'],
    ['3D000', 'database-missing'],
    ['42501', 'privilege-missing'],
    ['25006', 'read-only'],
    ['ECONNREFUSED', 'connection-refused'],
    ['ENOTFOUND', 'unknown-host'],
    ['ETIMEDOUT', 'connect-timeout'],
    ['ECONNRESET', 'connection-lost'],
  ])('PostgreSQL reads %s as %s', (code, meaning) => {
    expect(postgres.errors.meaningOf(driverError('x', code))).toBe(meaning)
  })

  it.each([
    ['ER_ACCESS_DENIED_ERROR', 'credentials-refused'],
    ['ER_DBACCESS_DENIED_ERROR', 'database-access-denied'],
    ['ER_BAD_DB_ERROR', 'database-missing'],
    ['ER_TABLEACCESS_DENIED_ERROR', 'privilege-missing'],
    ['ER_READ_ONLY_MODE', 'read-only'],
    ['PROTOCOL_CONNECTION_LOST', 'connection-lost'],
    ['EAI_AGAIN', 'unknown-host'],
  ])('MySQL reads %s as %s', (code, meaning) => {
    expect(mysql.errors.meaningOf(driverError('x', code))).toBe(meaning)
  })

  it("reads pg's code-less messages", () => {
    expect(postgres.errors.meaningOf(driverError('timeout exceeded when trying to connect'))).toBe('connect-timeout')
    expect(postgres.errors.meaningOf(driverError('Connection terminated unexpectedly'))).toBe('connection-lost')
  })

  it("leaves a query's own errors to the caller, and one engine's codes to that engine", () => {
    expect(postgres.errors.meaningOf(driverError('duplicate key', '23505'))).toBeUndefined()
    expect(postgres.errors.meaningOf(driverError('x', 'ER_BAD_DB_ERROR'))).toBeUndefined()
    expect(mysql.errors.meaningOf(driverError('x', '3D000'))).toBeUndefined()
    expect(mysql.errors.meaningOf('not an error')).toBeUndefined()
  })
})

describe('lost connections', () => {
  it('PostgreSQL: terminated sessions, and the dead socket in words', () => {
    expect(postgres.errors.isLostConnection(driverError('terminating connection due to administrator command', '57P01'))).toBe(true)
    expect(postgres.errors.isLostConnection(driverError('Connection terminated unexpectedly'))).toBe(true)
    expect(postgres.errors.isLostConnection(driverError('x', 'EPIPE'))).toBe(true)
    expect(postgres.errors.isLostConnection(driverError('canceling statement due to lock timeout', '55P03'))).toBe(false)
  })

  it('MySQL: killed connections, and queries on a closed one', () => {
    expect(mysql.errors.isLostConnection(driverError('Connection was killed', 'ER_CONNECTION_KILLED'))).toBe(true)
    expect(mysql.errors.isLostConnection(driverError("Can't add new command when connection is in closed state"))).toBe(true)
    expect(mysql.errors.isLostConnection(driverError('x', 'PROTOCOL_CONNECTION_LOST'))).toBe(true)
    expect(mysql.errors.isLostConnection(driverError('Duplicate entry', 'ER_DUP_ENTRY'))).toBe(false)
  })

  it("aborted reads: MySQL's ER_LOCK_DEADLOCK on a read (Galera's brute-force abort), nothing on PostgreSQL", () => {
    expect(mysql.errors.isAbortedRead(driverError('Deadlock found when trying to get lock; try restarting transaction', 'ER_LOCK_DEADLOCK'))).toBe(true)
    expect(mysql.errors.isAbortedRead(driverError('Lock wait timeout exceeded', 'ER_LOCK_WAIT_TIMEOUT'))).toBe(false)
    expect(postgres.errors.isAbortedRead(driverError('deadlock detected', '40P01'))).toBe(false)
    expect(postgres.errors.isAbortedRead(driverError('x', 'ER_LOCK_DEADLOCK'))).toBe(false)
  })
})
