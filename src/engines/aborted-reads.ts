/**
 * Reads that the server aborted, read again. On a Galera node a replicated DDL statement (another
 * node's migration, in total order isolation) aborts every local statement that holds a table it
 * needs, plain `SELECT`s of the catalog included: the read fails with `ER_LOCK_DEADLOCK` though
 * it took no lock of its own. A read changed nothing, so running it again is safe, and once the
 * DDL statement is through it succeeds. Before this, 2 of 300 concurrent boots across three nodes
 * exited 1 that way (the planning before the migration lock, which reads `information_schema`).
 *
 * Only for work that writes nothing: a write that lost the same way may have had effects the
 * caller must look at first.
 */
import type { Kysely, MigrationResultSet } from 'kysely'
import { engineOf } from './index.js'
import { pauseAfter } from './lock-wait.js'
import { sleep } from './migration-lock.js'

/** Up to 10 tries, pausing 20 ms growing to 1 s between them (a replicated index build takes seconds). */
const PAUSES = { firstPauseMs: 20, maxPauseMs: 1_000 }
const MAX_TRIES = 10

/** Runs `read` (read-only) again while it fails only because the server aborted it (`ErrorRules.isAbortedRead`). */
export async function rereadWhenAborted<T>(db: Kysely<any>, read: () => Promise<T>): Promise<T> {
  const { errors } = engineOf(db)
  for (let attempt = 1; ; attempt++) {
    try {
      return await read()
    } catch (error) {
      if (attempt >= MAX_TRIES || !errors.isAbortedRead(error)) throw error
      await sleep(pauseAfter(attempt, PAUSES))
    }
  }
}

/**
 * Kysely's `migrateToLatest` run again while it fails before any migration step only because the
 * server aborted a statement. Its preparation runs before the migration lock: it reads the
 * catalog for its two tables, creates them if missing, reads its lock row and inserts it if
 * missing, and another Galera node's migration may abort any of those (1 of 30 concurrent boots
 * across three nodes exited 1 so in a CI run: `Deadlock found when trying to get lock`). All of it
 * is idempotent, and so is migrating to the latest: under the lock it reads what is applied and
 * runs only what is not. A run that reached a migration step reports its steps (`results`) and is
 * never run again here; a run that failed without results changed nothing, or applied all it
 * applied and failed after (releasing the lock), which a second run finds done.
 *
 * Not for `migrateDown` by steps: run again after a failure past its steps, it would undo more.
 */
export async function migrateAgainWhenAborted(db: Kysely<any>, migrate: () => Promise<MigrationResultSet>): Promise<MigrationResultSet> {
  try {
    // The same tries and pauses as a read: a run without results is thrown for rereadWhenAborted
    // to judge, and given back as Kysely returned it when it is not tried again.
    return await rereadWhenAborted(db, async () => {
      const result = await migrate()
      if (result.error !== undefined && result.results === undefined) throw result.error
      return result
    })
  } catch (error) {
    return { error }
  }
}
