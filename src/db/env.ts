import { UsageError } from '../errors.js'

/**
 * The `DATABASE_URL` to use, from the environment. The library never reads `.env` itself: the
 * CLI and `kysely.config.ts` load it into the environment first.
 */
export function databaseUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.DATABASE_URL
}

/** The timeouts an operator may set without code, read like `DATABASE_URL`. */
export interface TimeoutsFromEnv {
  /** `DATABASE_CONNECT_TIMEOUT_MS`: give up connecting after this long. */
  readonly connectTimeoutMs?: number
  /** `MIGRATION_LOCK_TIMEOUT_MS`: give up waiting for another process's migrations after this long. */
  readonly lockTimeoutMs?: number
  /** `DATABASE_ANSWER_TIMEOUT_MS`: end a run whose server answers nothing for this long. */
  readonly answerTimeoutMs?: number
}

/**
 * Reads `DATABASE_CONNECT_TIMEOUT_MS`, `MIGRATION_LOCK_TIMEOUT_MS` and `DATABASE_ANSWER_TIMEOUT_MS` from the environment.
 * Unset or empty means "use the default".
 *
 * @throws {UsageError} when a value is not a whole number of milliseconds.
 */
export function timeoutsFromEnv(env: NodeJS.ProcessEnv = process.env): TimeoutsFromEnv {
  return {
    connectTimeoutMs: milliseconds(env, 'DATABASE_CONNECT_TIMEOUT_MS', 1),
    lockTimeoutMs: milliseconds(env, 'MIGRATION_LOCK_TIMEOUT_MS', 0),
    answerTimeoutMs: milliseconds(env, 'DATABASE_ANSWER_TIMEOUT_MS', 1000),
  }
}

function milliseconds(env: NodeJS.ProcessEnv, name: string, minimum: number): number | undefined {
  const raw = env[name]?.trim()
  if (!raw) return undefined
  const value = Number(raw)
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < minimum) {
    throw new UsageError(`${name} must be a whole number of milliseconds (at least ${minimum}), not "${raw}"`)
  }
  return value
}
