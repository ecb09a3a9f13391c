/**
 * The PostgreSQL servers a `DATABASE_URL` names, and the connections open to them: one pool for
 * Kysely and dedicated clients (the migration lock, the heartbeat), all on the host chosen by
 * `target_session_attrs` among a multi-host list (`./hosts.ts`), and all closable at once when the
 * server stops answering (`sever`).
 */
import type { Client, Pool, PoolClient, PoolConfig } from 'pg'
import type { ServerKind } from '../../database-url/session-attrs.js'
import { describeAddress, hostsOf, type HostAddress, type ServerConnection } from '../../database-url/url.js'
import { postgresErrors } from './errors.js'
import { hostChooser, kindFromParameters, type ConnectSteps, type HostChooser } from './hosts.js'

type PgModule = typeof import('pg').default

export interface PostgresServers {
  /** Connections for Kysely, from the chosen host. */
  connect(): Promise<PoolClient>
  /** Ends the pools. */
  end(): Promise<void>
  /** A dedicated client (outside the pool) on the chosen host, connected; its 'error' is handled. */
  openClient(): Promise<Client>
  /** The host connections go to now, as messages name it (`10.0.0.2:5432`). */
  currentAddress(): string
  /** Whether the URL lists several hosts (a rerun may then find another primary). */
  readonly multiHost: boolean
  /**
   * What the open connections' server reported of itself (`in_hot_standby`, PostgreSQL 14+, sent
   * at startup and again when it changes, as on a promotion): `false` when every connection that
   * reported it says "not a standby", `true` when one says it is one, undefined when none reported
   * it (a pooler, an older server). Lets a check on a primary skip asking.
   */
  reportedStandby(): boolean | undefined
  /**
   * A connection to each other host of the list that is a standby (`./standby-readers.ts`),
   * opened once and kept; a host that cannot be reached is left out (and asked again next time).
   */
  standbys(): Promise<{ readonly address: string; readonly client: Client }[]>
  /**
   * Destroys every socket open to the servers, pooled or dedicated, without waiting for an answer:
   * for a server that stopped answering, whose statements in flight would otherwise never return
   * (a frozen process's kernel still acknowledges TCP). Each rejects as a lost connection.
   */
  sever(): void
}

/** A client that remembers the parameters the server reported at startup (`in_hot_standby`...). */
type ReportingClient = Client & { readonly serverParameters: Map<string, string> }

export function postgresServers(pg: PgModule, connection: ServerConnection, config: PoolConfig): PostgresServers {
  const hosts = hostsOf(connection)
  const attrs = connection.targetSessionAttrs ?? 'any'
  const describe = (host: HostAddress) => describeAddress({ ...connection, host: host.host, port: host.port }, 5432)
  const live = new Set<Client>()
  const track = (client: Client) => {
    live.add(client)
    // An idle or dedicated client that loses its server emits 'error'; unhandled, it would crash the process.
    client.on('error', () => {})
    client.on('end', () => live.delete(client))
  }
  const reportedStandby = () => {
    let seen: boolean | undefined
    for (const client of live) {
      const value = (client as ReportingClient).serverParameters?.get('in_hot_standby')
      if (value === 'on') return true
      if (value === 'off') seen = false
    }
    return seen
  }
  const ReportingClient = class extends pg.Client {
    readonly serverParameters = new Map<string, string>()
    constructor(options?: PoolConfig) {
      super(options)
      const wire = (this as unknown as { connection: { on(event: string, listener: (message: { parameterName: string; parameterValue: string }) => void): void } }).connection
      wire.on('parameterStatus', (message) => this.serverParameters.set(message.parameterName, message.parameterValue))
    }
  }
  const configFor = (host: HostAddress): PoolConfig => ({ ...config, host: host.host, port: host.port ?? 5432 })
  const pools = new Map<HostAddress, Pool>()
  const poolFor = (host: HostAddress): Pool => {
    let pool = pools.get(host)
    if (!pool) {
      pool = new pg.Pool({ ...configFor(host), Client: ReportingClient })
      // An idle client that loses its server emits 'error' on the pool; without a listener Node
      // would crash the whole router-backend. The next query reports the failure instead.
      pool.on('error', () => {})
      pool.on('connect', (client) => track(client))
      pools.set(host, pool)
    }
    return pool
  }

  if (hosts.length === 1 && attrs === 'any') {
    const host = hosts[0]!
    return {
      connect: () => poolFor(host).connect(),
      end: () => endAll(pools),
      openClient: async () => {
        const client = new ReportingClient(configFor(host))
        track(client)
        await client.connect()
        return client
      },
      currentAddress: () => describe(host),
      multiHost: false,
      reportedStandby,
      standbys: async () => [],
      sever: () => severAll(live),
    }
  }

  const chooser: HostChooser = hostChooser(hosts, attrs, describe)
  const standbyClients = new Map<HostAddress, ReportingClient>()
  const standbys = async () => {
    const found: { address: string; client: Client }[] = []
    for (const host of hosts) {
      if (host === chooser.current) continue
      let client = standbyClients.get(host)
      if (client && !live.has(client)) client = undefined
      if (!client) {
        const opened = new ReportingClient({ ...configFor(host), connectionTimeoutMillis: Math.min(config.connectionTimeoutMillis ?? 2000, 2000) })
        track(opened)
        try {
          await opened.connect()
          if (!(await kindOf(opened)).standby) {
            await opened.end().catch(() => {})
            continue
          }
          client = opened
          standbyClients.set(host, client)
        } catch {
          opened.end().catch(() => {})
          continue
        }
      }
      found.push({ address: describe(host), client })
    }
    return found
  }
  const kinds = new WeakMap<object, ServerKind>()
  const reasonOf = (error: unknown) => shortReason(error, config.connectionTimeoutMillis)
  const pooled: ConnectSteps<PoolClient> = {
    open: (host) => poolFor(host).connect(),
    // A pooled client is asked once, when it is new; handed out again, its answer is remembered.
    kindOf: async (client) => {
      const known = kinds.get(client) ?? (await kindOf(client as unknown as ReportingClient))
      kinds.set(client, known)
      return known
    },
    discard: async (client) => client.release(true),
    reasonOf,
  }
  return {
    connect: () => chooser.connect(pooled),
    end: async () => {
      for (const client of standbyClients.values()) await client.end().catch(() => {})
      await endAll(pools)
    },
    openClient: () =>
      chooser.connect<ReportingClient>({
        open: async (host) => {
          const client = new ReportingClient(configFor(host))
          track(client)
          await client.connect()
          return client
        },
        kindOf,
        discard: (client) => client.end().catch(() => {}),
        reasonOf,
      }),
    currentAddress: () => describe(chooser.current),
    multiHost: hosts.length > 1,
    reportedStandby,
    standbys,
    sever: () => severAll(live),
  }
}

/** What the server is: from its startup parameters, else asked (as libpq asks a server that did not report them). */
async function kindOf(client: ReportingClient): Promise<ServerKind> {
  const reported = kindFromParameters(client.serverParameters)
  if (reported) return reported
  const { rows } = await client.query<{ standby: boolean; read_only: boolean }>(
    "select pg_is_in_recovery() as standby, current_setting('default_transaction_read_only') = 'on' as read_only",
  )
  return { standby: rows[0]!.standby, readOnlyByDefault: rows[0]!.read_only }
}

function severAll(live: Set<Client>): void {
  for (const client of live) {
    ;(client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy()
  }
}

async function endAll(pools: Map<HostAddress, Pool>): Promise<void> {
  await Promise.all([...pools.values()].map((pool) => pool.end()))
}

/** Why connecting to one host failed, in a few words, for the message that lists every host. */
function shortReason(error: unknown, timeoutMs: number | undefined): string {
  switch (postgresErrors.meaningOf(error)) {
    case 'connection-refused':
      return 'refused the connection'
    case 'connect-timeout':
      return `did not answer within ${timeoutMs ?? '?'} ms`
    case 'unknown-host':
      return 'is an unknown host'
    case 'credentials-refused':
      return 'refused the user or password'
    case 'database-missing':
      return 'has no such database'
    default:
      return `failed (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`
  }
}
