/**
 * The retry loop around a DDL statement that needs a strong table lock. Each engine sets its
 * own short lock wait (`lock_timeout`, `lock_wait_timeout`) around it; this loop is the same
 * for all: a statement that gives way is tried again after a growing pause, and after the last
 * try the run stops with one line saying what to do. Waiting in the lock queue instead would
 * make every writer queued behind us wait too.
 */
import { AuthDbError, describeError } from '../errors.js'

/** How long one DDL statement may wait for a table lock before it gives way and retries. */
export const DDL_LOCK_TIMEOUT_MS = 2_000
const DDL_LOCK_ATTEMPTS = 5

export class LockTimeoutError extends AuthDbError {
  override name = 'LockTimeoutError'
}

/** Runs `statement`, again while it fails with a lock timeout (as `isLockTimeout` says). */
export async function retryOnLockTimeout<T>(statement: () => Promise<T>, isLockTimeout: (error: unknown) => boolean): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement()
    } catch (error) {
      if (!isLockTimeout(error)) throw error
      if (attempt >= DDL_LOCK_ATTEMPTS) {
        throw new LockTimeoutError(
          `a table stayed locked by another session through ${DDL_LOCK_ATTEMPTS} attempts (${describeError(error)}); ` +
            'find the long-running transaction, let it finish, then run migrate:latest again',
        )
      }
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt))
    }
  }
}

/** A driver error's `code`, where it has one. */
export function errorCode(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code
}
