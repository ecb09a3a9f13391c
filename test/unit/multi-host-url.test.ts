/** libpq's multi-host URLs and target_session_attrs, as src/database-url reads them (no database). */
import { describe, expect, it } from 'vitest'
import { UsageError } from '../../src/errors.js'
import { hostsOf, parseDatabaseUrl, redactUrl, type ServerConnection } from '../../src/database-url/url.js'
import { passesOf, serverFits, type ServerKind } from '../../src/database-url/session-attrs.js'

function connectionOf(raw: string): ServerConnection {
  const target = parseDatabaseUrl(raw)
  if (!('connection' in target)) throw new Error('not a server')
  return target.connection
}

function usageErrorOf(raw: string): string {
  try {
    parseDatabaseUrl(raw)
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError)
    return (error as Error).message
  }
  throw new Error(`accepted ${raw}`)
}

describe('multi-host DATABASE_URL (libpq)', () => {
  it('reads host:port,host:port in order, the first as host and port', () => {
    const connection = connectionOf('postgres://app:s3cret@10.0.0.1:5432,10.0.0.2:5433/db?target_session_attrs=read-write')
    expect(connection.hosts).toEqual([
      { host: '10.0.0.1', port: 5432 },
      { host: '10.0.0.2', port: 5433 },
    ])
    expect(connection).toMatchObject({ host: '10.0.0.1', port: 5432, user: 'app', password: 's3cret', database: 'db', targetSessionAttrs: 'read-write' })
  })

  it('reads hosts without ports as separate hosts on the default port', () => {
    expect(connectionOf('postgres://app@host1,host2/db').hosts).toEqual([
      { host: 'host1', port: undefined },
      { host: 'host2', port: undefined },
    ])
  })

  it('reads IPv6 hosts in brackets', () => {
    expect(connectionOf('postgres://app@[::1]:5432,[fe80::1]:5433/db').hosts).toEqual([
      { host: '::1', port: 5432 },
      { host: 'fe80::1', port: 5433 },
    ])
  })

  it("reads libpq's host= and port= lists: one port for all, or one per host", () => {
    expect(connectionOf('postgres:///db?host=a,b&port=5433').hosts).toEqual([
      { host: 'a', port: 5433 },
      { host: 'b', port: 5433 },
    ])
    expect(connectionOf('postgres://app@/db?host=a,b,c&port=1,,3').hosts).toEqual([
      { host: 'a', port: 1 },
      { host: 'b', port: undefined },
      { host: 'c', port: 3 },
    ])
    expect(usageErrorOf('postgres:///db?host=a,b,c&port=1,2')).toMatch(/3 hosts and 2 ports; give one port for all of them or one per host/)
  })

  it('keeps a one-host URL as it was (no host list)', () => {
    const connection = connectionOf('postgres://app@db.example.com:5432/db')
    expect(connection.hosts).toBeUndefined()
    expect(hostsOf(connection)).toEqual([{ host: 'db.example.com', port: 5432 }])
  })

  it('takes target_session_attrs alone, and refuses an unknown value in one line', () => {
    expect(connectionOf('postgres://app@h/db?target_session_attrs=primary').targetSessionAttrs).toBe('primary')
    expect(usageErrorOf('postgres://app@h/db?target_session_attrs=master')).toMatch(/must be one of any, read-write, read-only, primary, standby, prefer-standby/)
  })

  it('never prints the password of a multi-host URL', () => {
    expect(redactUrl('postgres://app:s3cret@a:1,b:2/db')).not.toContain('s3cret')
    expect(usageErrorOf('postgres://app:s3cret@a:1,:2/db')).not.toContain('s3cret')
  })

  it('a MySQL/MariaDB URL says in one line that it takes one host', () => {
    expect(usageErrorOf('mysql://root:pw@h1:3306,h2:3306/db')).toMatch(/MySQL\/MariaDB URL takes one host/)
    expect(usageErrorOf('mariadb://root@h1/db?target_session_attrs=read-write')).toMatch(/a MySQL\/MariaDB URL takes one host/)
  })
})

describe('target_session_attrs', () => {
  const primary: ServerKind = { standby: false, readOnlyByDefault: false }
  const standby: ServerKind = { standby: true, readOnlyByDefault: true }
  const readOnlyPrimary: ServerKind = { standby: false, readOnlyByDefault: true }

  it.each([
    ['any', [true, true, true]],
    ['read-write', [true, false, false]],
    ['primary', [true, false, true]],
    ['read-only', [false, true, true]],
    ['standby', [false, true, false]],
  ] as const)('%s fits primary, standby, read-only primary: %j', (attrs, fits) => {
    expect([primary, standby, readOnlyPrimary].map((kind) => serverFits(attrs, kind))).toEqual(fits)
  })

  it('prefer-standby looks for a standby first, then takes any', () => {
    expect(passesOf('prefer-standby')).toEqual(['standby', 'any'])
    expect(passesOf('read-write')).toEqual(['read-write'])
  })
})
