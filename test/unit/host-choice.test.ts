/** Choosing a host of a multi-host URL (src/engines/postgres/hosts.ts) and the run's heartbeat (server-watch.ts), with fakes: no database. */
import { describe, expect, it } from 'vitest'
import { ConnectionError } from '../../src/errors.js'
import type { HostAddress } from '../../src/database-url/url.js'
import type { ServerKind, TargetSessionAttrs } from '../../src/database-url/session-attrs.js'
import { hostChooser, kindFromParameters } from '../../src/engines/postgres/hosts.js'
import { watchServer } from '../../src/engines/postgres/server-watch.js'
import type { DedicatedClient } from '../../src/engines/postgres/sessions.js'

const PRIMARY: ServerKind = { standby: false, readOnlyByDefault: false }
const STANDBY: ServerKind = { standby: true, readOnlyByDefault: true }

/** Hosts a..: each `kind`, or `down` (refuses connections). */
function cluster(servers: Record<string, ServerKind | 'down'>, attrs: TargetSessionAttrs) {
  const hosts: HostAddress[] = Object.keys(servers).map((host) => ({ host, port: 5432 }))
  const opened: string[] = []
  const chooser = hostChooser(hosts, attrs, (h) => `${h.host}:${h.port}`)
  const connect = () =>
    chooser.connect<string>({
      open: async (h) => {
        opened.push(h.host)
        if (servers[h.host] === 'down') throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
        return h.host
      },
      kindOf: async (name) => servers[name] as ServerKind,
      discard: async () => {},
      reasonOf: () => 'refused the connection',
    })
  return { chooser, connect, opened, servers }
}

describe('hostChooser', () => {
  it('read-write finds the primary whichever place it has in the list', async () => {
    for (const order of [{ a: STANDBY, b: PRIMARY }, { a: PRIMARY, b: STANDBY }]) {
      const { connect } = cluster(order, 'read-write')
      expect(order[(await connect()) as 'a' | 'b']).toBe(PRIMARY)
    }
  })

  it('any takes the first host that answers, passing over one that is down', async () => {
    const { connect, opened } = cluster({ a: 'down', b: STANDBY, c: PRIMARY }, 'any')
    expect(await connect()).toBe('b')
    expect(opened).toEqual(['a', 'b'])
  })

  it('tries the host that fitted last first, then the list again after a failover', async () => {
    const c = cluster({ a: STANDBY, b: PRIMARY }, 'read-write')
    expect(await c.connect()).toBe('b')
    c.opened.length = 0
    expect(await c.connect()).toBe('b')
    expect(c.opened).toEqual(['b'])
    c.servers.b = 'down'
    c.servers.a = PRIMARY
    c.opened.length = 0
    expect(await c.connect()).toBe('a')
    expect(c.opened).toEqual(['b', 'a'])
    expect(c.chooser.current.host).toBe('a')
  })

  it('prefer-standby takes a standby when there is one, else any', async () => {
    expect(await cluster({ a: PRIMARY, b: STANDBY }, 'prefer-standby').connect()).toBe('b')
    expect(await cluster({ a: PRIMARY, b: 'down' }, 'prefer-standby').connect()).toBe('a')
  })

  it('when none fits: a transient ConnectionError naming each host and why', async () => {
    const error = await cluster({ a: STANDBY, b: 'down' }, 'read-write').connect().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as ConnectionError).transient).toBe(true)
    expect((error as Error).message).toMatch(/^no host of DATABASE_URL is a server that accepts writes \(target_session_attrs=read-write\): a:5432 is a standby, b:5432 refused the connection; /)
  })
})

describe('kindFromParameters', () => {
  it("reads PostgreSQL 14+'s startup parameters, or says it cannot", () => {
    expect(kindFromParameters(new Map([['in_hot_standby', 'on'], ['default_transaction_read_only', 'on']]))).toEqual(STANDBY)
    expect(kindFromParameters(new Map([['in_hot_standby', 'off'], ['default_transaction_read_only', 'off']]))).toEqual(PRIMARY)
    expect(kindFromParameters(new Map([['server_version', '13.0']]))).toBeUndefined()
  })
})

describe('watchServer', () => {
  const client = (answer: () => Promise<unknown>): DedicatedClient & { asked: number } => {
    const fake = {
      asked: 0,
      lost: false,
      localPort: undefined,
      query: async <R>() => {
        fake.asked++
        await answer()
        return [] as R[]
      },
      end: async () => {},
    }
    return fake
  }

  it('calls onSilent once when a question goes unanswered for the timeout', async () => {
    const silent = client(() => new Promise(() => {}))
    let calls = 0
    const watch = watchServer(silent, 200, () => calls++)
    await new Promise((resolve) => setTimeout(resolve, 600))
    watch.stop()
    expect(calls).toBe(1)
    expect(silent.asked).toBe(1)
    expect(watch.silentForMs).toBeGreaterThanOrEqual(200)
  })

  it('never calls it while the server answers', async () => {
    const answering = client(async () => {})
    let calls = 0
    const watch = watchServer(answering, 200, () => calls++)
    await new Promise((resolve) => setTimeout(resolve, 600))
    watch.stop()
    expect(calls).toBe(0)
    expect(answering.asked).toBeGreaterThan(2)
    expect(watch.silentForMs).toBeUndefined()
  })
})
