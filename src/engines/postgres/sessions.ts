/**
 * Server sessions of a PostgreSQL database, which a connection pooler may not give us.
 *
 * Through PgBouncer in transaction pooling (the default URL of Supabase, Neon and most managed
 * PostgreSQL), each transaction, or each statement outside one, may run on another server
 * connection: a session advisory lock, a `SET`, or `pg_backend_pid()` then means nothing, and a
 * `SET` stays behind on a server connection that the next client gets. Only a transaction is
 * sure to run on one server connection from `begin` to `commit`. So the module relies on a
 * session only where it knows it has one ({@link PostgresSessions.pinned}), and otherwise uses
 * transactions: the migration lock is held by an open transaction (`./migration-lock.ts`), lock
 * waits are `SET LOCAL` (`./online-ddl.ts`).
 */
import type { PostgresServers } from './servers.js'

/** A dedicated connection, outside the pool, e.g. for the migration lock's transaction. */
export interface DedicatedClient {
  query<R = Record<string, unknown>>(text: string): Promise<R[]>
  /** Whether the connection failed or closed since it opened. */
  readonly lost: boolean
  /** Our end's TCP port; undefined on a Unix socket. */
  readonly localPort: number | undefined
  end(): Promise<void>
}

export interface PostgresSessions {
  /** Opens a connection of its own (not from the pool), closed with `end()`. */
  open(): Promise<DedicatedClient>
  /**
   * Whether a connection from this URL is the server session itself (no pooler, or a proxy we
   * cannot see through, in between), so that consecutive statements outside a transaction are
   * sure to share session state. Asked once per pool; `false` when unsure.
   */
  pinned(): Promise<boolean>
  /**
   * Answers {@link pinned} from `client`, a connection already open, if not answered yet. The
   * migration lock does this with its own connection: asking on a new connection in the middle
   * of a run would need one more server connection, which a session-pooling PgBouncer whose pool
   * the waiting processes fill would never give.
   */
  learnFrom(client: DedicatedClient): Promise<void>
  /** The servers behind them: the host in use, and closing every socket at once. */
  readonly servers: Pick<PostgresServers, 'currentAddress' | 'multiHost' | 'sever' | 'standbys' | 'reportedStandby'>
}

/** Dedicated connections to `servers`' chosen host (the pool's options: TLS, timeouts, target_session_attrs). */
export function postgresSessions(servers: PostgresServers): PostgresSessions {
  let pinned: Promise<boolean> | undefined
  const open = async (): Promise<DedicatedClient> => {
    const client = await servers.openClient()
    let lost = false
    client.on('error', () => {
      lost = true
    })
    client.on('end', () => {
      lost = true
    })
    return {
      query: async <R>(text: string) => (await client.query(text)).rows as R[],
      get lost() {
        return lost
      },
      // `pg` keeps the socket on its Connection; not typed, hence the cast.
      localPort: (client as unknown as { connection?: { stream?: { localPort?: number } } }).connection?.stream?.localPort,
      end: () => client.end().catch(() => {}),
    }
  }
  return {
    open,
    servers,
    pinned: () =>
      (pinned ??= open().then(async (client) => {
        try {
          return await isDirect(client)
        } finally {
          await client.end()
        }
      })),
    learnFrom: async (client) => {
      pinned ??= isDirect(client)
      await pinned
    },
  }
}

/**
 * Whether the server sees this connection as coming from our own socket: the client port the
 * server reports (`inet_client_port()`) is our socket's local port. A pooler (PgBouncer, a
 * cloud proxy) connects from its own ports, so the ports differ, and we must assume transaction
 * pooling. A Unix socket cannot be told apart, and counts as a pooler: the cost of being wrong
 * that way is only that an index build runs with the server's parallelism setting.
 */
async function isDirect(client: DedicatedClient): Promise<boolean> {
  try {
    const [row] = await client.query<{ port: number | null }>('select inet_client_port() as port')
    return row?.port != null && client.localPort === Number(row.port)
  } catch {
    return false
  }
}
