/**
 * A heartbeat on the migration lock's connection, so that a run whose server stops answering
 * ends within a bound instead of hanging.
 *
 * Why a heartbeat: a statement in flight (an index build may take many minutes) gives no sign
 * when its server is gone without closing the socket: a primary frozen by SIGSTOP, a host
 * partitioned away, a VM paused. TCP keepalive does not help: the kernel of a host whose
 * PostgreSQL is frozen still acknowledges every packet. So the lock's connection, otherwise idle,
 * asks a trivial question every few seconds; no answer within `answerTimeoutMs` means the server
 * stopped answering, and every socket to it is closed (`sever`), so that the statement in flight
 * rejects and the run ends with one line.
 *
 * Why `SHOW`: the lock's connection sits in an open transaction (the lock lives as long as it).
 * A `SELECT` would take a snapshot, and a `CREATE INDEX CONCURRENTLY` that saw it would wait for
 * that whole transaction, i.e. for the end of the run. `SHOW` is a utility statement that takes
 * no snapshot (PostgreSQL's `PlannedStmtRequiresSnapshot`), so the transaction holds none.
 */
import type { DedicatedClient } from './sessions.js'

/** How long a run waits for its server to answer anything before ending, by default. */
export const DEFAULT_ANSWER_TIMEOUT_MS = 15_000

export interface ServerWatch {
  /** Set once the server answered nothing for the timeout: how long it waited. */
  readonly silentForMs: number | undefined
  stop(): void
}

/**
 * Asks `client` a question every `answerTimeoutMs / 5` (at most every 2 s); calls `onSilent` once
 * when a question has had no answer for `answerTimeoutMs`. A failed question is not silence: the
 * connection is gone, which the run sees by itself.
 */
export function watchServer(client: DedicatedClient, answerTimeoutMs: number, onSilent: () => void): ServerWatch {
  let askedAt: number | undefined
  let silentForMs: number | undefined
  const beat = () => {
    if (silentForMs !== undefined || client.lost) return
    if (askedAt !== undefined) {
      const waited = Date.now() - askedAt
      if (waited >= answerTimeoutMs) {
        silentForMs = waited
        clearInterval(timer)
        onSilent()
      }
      return
    }
    askedAt = Date.now()
    client.query('show server_version_num').then(
      () => (askedAt = undefined),
      () => (askedAt = undefined),
    )
  }
  const timer = setInterval(beat, Math.max(50, Math.min(2000, Math.floor(answerTimeoutMs / 5))))
  timer.unref()
  return {
    get silentForMs() {
      return silentForMs
    },
    stop: () => clearInterval(timer),
  }
}
