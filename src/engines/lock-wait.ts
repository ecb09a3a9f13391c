/**
 * The retry loop around a DDL statement that needs a strong table lock, after GitLab's
 * `with_lock_retries`: each try waits for the lock only briefly (PostgreSQL `lock_timeout`,
 * MySQL/MariaDB `lock_wait_timeout`, set by each engine for that statement alone), gives way
 * when the table is busy, pauses (growing, with jitter, so that several migrators do not retry
 * in step), and tries again; after a total budget the run stops with one line saying what to do.
 *
 * Why not one long wait: a DDL statement waiting for a table lock sits in the lock queue, and
 * every writer that arrives after it queues behind it. A long report or an idle open transaction
 * on `artwork_jobs` would stall the application's inserts for as long as the DDL waits. With
 * short tries, a writer waits at most one try's bound; the migration waits its turn instead.
 */
import { AuthDbError, describeError } from '../errors.js'

/** How a DDL statement waits for its table lock. */
export interface LockRetryPolicy {
  /** How long one try may wait in the lock queue (and so how long a writer may queue behind it). */
  readonly tryTimeoutMs: number
  /** Give up once the tries and pauses have taken this long. */
  readonly budgetMs: number
  /** The pause after the first failed try; it doubles after each, up to {@link maxPauseMs}. */
  readonly firstPauseMs: number
  readonly maxPauseMs: number
}

/**
 * The default: 100 ms a try (GitLab's first tries wait 100 ms too), pauses from 50 ms growing to
 * 5 s, for 3 minutes in all. `DDL_LOCK_RETRY_BUDGET_MS` sets the budget.
 */
export const DEFAULT_LOCK_RETRY: LockRetryPolicy = { tryTimeoutMs: 100, budgetMs: 180_000, firstPauseMs: 50, maxPauseMs: 5_000 }

/** The policy in force: the default, with `DDL_LOCK_RETRY_BUDGET_MS` from the environment if set. */
export function lockRetryPolicy(env: NodeJS.ProcessEnv = process.env): LockRetryPolicy {
  const raw = env.DDL_LOCK_RETRY_BUDGET_MS?.trim()
  if (!raw) return DEFAULT_LOCK_RETRY
  if (!/^\d+$/.test(raw)) throw new AuthDbError(`DDL_LOCK_RETRY_BUDGET_MS must be a whole number of milliseconds, not "${raw}"`)
  return { ...DEFAULT_LOCK_RETRY, budgetMs: Number(raw) }
}

/**
 * The pause after failed try number `attempt` (1-based): "equal jitter", half of the doubled
 * pause fixed and half random, so pauses grow but two migrators never retry in lockstep.
 */
export function pauseAfter(attempt: number, policy: Pick<LockRetryPolicy, 'firstPauseMs' | 'maxPauseMs'>, random: () => number = Math.random): number {
  const base = Math.min(policy.maxPauseMs, policy.firstPauseMs * 2 ** Math.min(attempt - 1, 30))
  return Math.round(base / 2 + (random() * base) / 2)
}

export class LockTimeoutError extends AuthDbError {
  override name = 'LockTimeoutError'
}

/**
 * Runs `statement` (one try, which the engine bounds to `policy.tryTimeoutMs` of lock wait),
 * again while it fails with a lock timeout (as `isLockTimeout` says), until the budget is spent.
 */
export async function retryOnLockTimeout<T>(
  statement: () => Promise<T>,
  isLockTimeout: (error: unknown) => boolean,
  policy: LockRetryPolicy = lockRetryPolicy(),
): Promise<T> {
  const started = Date.now()
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement()
    } catch (error) {
      if (!isLockTimeout(error)) throw error
      const pause = pauseAfter(attempt, policy)
      const spent = Date.now() - started
      if (spent + pause >= policy.budgetMs) {
        throw new LockTimeoutError(
          `a table stayed locked by another session for ${Math.round(spent / 1000)} s (${attempt} tries of ${policy.tryTimeoutMs} ms each; ${describeError(error)}); ` +
            'find the long-running transaction (a report, a session left idle in a transaction), let it finish, then run migrate:latest again ' +
            '(DDL_LOCK_RETRY_BUDGET_MS sets how long to keep trying)',
        )
      }
      await new Promise((resolve) => setTimeout(resolve, pause))
    }
  }
}

/** A driver error's `code`, where it has one. */
export function errorCode(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code
}
