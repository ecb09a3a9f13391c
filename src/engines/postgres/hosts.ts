/**
 * Choosing a host of a multi-host `DATABASE_URL`, libpq's way: the hosts in order, each given the
 * connect timeout, until one fits `target_session_attrs` (a primary for `read-write`, ...).
 *
 * Hand-written: node-postgres connects to one host and pg-connection-string reads one; no
 * maintained library adds libpq's multi-host behaviour to them. What a server is comes from the
 * parameters it reports at startup (`in_hot_standby` and `default_transaction_read_only`, which
 * PostgreSQL 14+ reports unasked, as libpq uses them), so choosing costs no round trip; a server
 * (or pooler) that does not report them is asked (`pg_is_in_recovery()`), as libpq asks.
 *
 * One difference from libpq, on purpose: the host that fitted last is tried first, then the
 * others in the URL's order. A pool opens connections all the time; starting from the top of the
 * list each time would first open (and close) a connection to each standby listed before the
 * primary. After a failover the old host fails or no longer fits, and the list is walked again.
 */
import { ConnectionError } from '../../errors.js'
import { describeWanted, passesOf, serverFits, type ServerKind, type TargetSessionAttrs } from '../../database-url/session-attrs.js'
import type { HostAddress } from '../../database-url/url.js'

/** Why a host was passed over, for the message when none fits. */
type Miss = { readonly host: HostAddress; readonly reason: string }

export interface HostChooser {
  /** The host connections go to now: the one that fitted last (the first listed before any did). */
  readonly current: HostAddress
  /**
   * Opens a connection on the first host that fits. `open` connects to one host (rejecting when
   * it cannot), `kindOf` says what the server is, `discard` closes a connection that does not fit.
   *
   * @throws {ConnectionError} naming every host and why it was passed over, when none fits.
   */
  connect<C>(steps: ConnectSteps<C>): Promise<C>
}

export interface ConnectSteps<C> {
  open(host: HostAddress): Promise<C>
  kindOf(connection: C): Promise<ServerKind>
  discard(connection: C): Promise<void>
  /** A short reason for a failure to connect ("connection refused"). */
  reasonOf(error: unknown): string
}

/** `describe` names a host as messages do (`10.0.0.1:5432`). */
export function hostChooser(hosts: readonly HostAddress[], attrs: TargetSessionAttrs, describe: (host: HostAddress) => string): HostChooser {
  let preferred = 0
  return {
    get current() {
      return hosts[preferred]!
    },
    async connect<C>(steps: ConnectSteps<C>): Promise<C> {
      const order = [preferred, ...hosts.keys()].filter((index, i, all) => all.indexOf(index) === i)
      const misses: Miss[] = []
      for (const pass of passesOf(attrs)) {
        for (const index of order) {
          const host = hosts[index]!
          let connection: C
          try {
            connection = await steps.open(host)
          } catch (error) {
            misses.push({ host, reason: steps.reasonOf(error) })
            continue
          }
          let kind: ServerKind
          try {
            kind = pass === 'any' ? { standby: false, readOnlyByDefault: false } : await steps.kindOf(connection)
          } catch (error) {
            await steps.discard(connection)
            misses.push({ host, reason: steps.reasonOf(error) })
            continue
          }
          if (serverFits(pass, kind)) {
            preferred = index
            return connection
          }
          await steps.discard(connection)
          misses.push({ host, reason: kind.standby ? 'is a standby' : kind.readOnlyByDefault ? 'is read-only (default_transaction_read_only)' : 'is a primary' })
        }
      }
      const seen = new Map<string, string>()
      for (const miss of misses) if (!seen.has(describe(miss.host))) seen.set(describe(miss.host), miss.reason)
      throw new ConnectionError(
        `no host of DATABASE_URL is ${describeWanted(attrs)}: ${[...seen].map(([host, reason]) => `${host} ${reason}`).join(', ')}; ` +
          'check that the servers are up, and after a failover that one of them was promoted (a run stopped by a failover finishes when run again)',
        { transient: true },
      )
    },
  }
}

/** What the server is, from the parameters it reported at startup; undefined when it reported neither (PostgreSQL before 14, some poolers). */
export function kindFromParameters(parameters: ReadonlyMap<string, string>): ServerKind | undefined {
  const standby = parameters.get('in_hot_standby')
  const readOnly = parameters.get('default_transaction_read_only')
  if (standby === undefined || readOnly === undefined) return undefined
  return { standby: standby === 'on', readOnlyByDefault: readOnly === 'on' }
}
