/** The lock-retry policy (`src/engines/lock-wait.ts`): short tries, growing jittered pauses, a total budget. */
import { describe, expect, it } from 'vitest'
import { DEFAULT_LOCK_RETRY, LockTimeoutError, lockRetryPolicy, pauseAfter, retryOnLockTimeout } from '../../src/engines/lock-wait.js'

const lockTimeout = Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' })
const isLockTimeout = (error: unknown) => (error as { code?: string }).code === '55P03'

describe('lock retries', () => {
  it('waits 100 ms a try by default', () => {
    expect(DEFAULT_LOCK_RETRY.tryTimeoutMs).toBe(100)
  })

  it('pauses grow, doubling up to the cap, each between half and all of its step', () => {
    const policy = { tryTimeoutMs: 100, budgetMs: 60_000, firstPauseMs: 50, maxPauseMs: 1_000 }
    expect([1, 2, 3, 4, 5, 6].map((a) => pauseAfter(a, policy, () => 1))).toEqual([50, 100, 200, 400, 800, 1000])
    expect([1, 2, 3, 4, 5, 6].map((a) => pauseAfter(a, policy, () => 0))).toEqual([25, 50, 100, 200, 400, 500])
    expect(pauseAfter(500, policy, () => 1)).toBe(1000)
  })

  it('reads the budget from DDL_LOCK_RETRY_BUDGET_MS, and refuses a malformed one', () => {
    expect(lockRetryPolicy({ DDL_LOCK_RETRY_BUDGET_MS: '1500' }).budgetMs).toBe(1500)
    expect(lockRetryPolicy({}).budgetMs).toBe(DEFAULT_LOCK_RETRY.budgetMs)
    expect(() => lockRetryPolicy({ DDL_LOCK_RETRY_BUDGET_MS: '2s' })).toThrow(/whole number of milliseconds/)
  })

  it('tries again after a lock timeout, and gives up with one line once the budget is spent', async () => {
    let tries = 0
    const policy = { tryTimeoutMs: 100, budgetMs: 200, firstPauseMs: 10, maxPauseMs: 40 }
    const result = await retryOnLockTimeout(async () => (++tries < 3 ? Promise.reject(lockTimeout) : 'done'), isLockTimeout, policy)
    expect(result).toBe('done')
    expect(tries).toBe(3)
    const failure = await retryOnLockTimeout(() => Promise.reject(lockTimeout), isLockTimeout, policy).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(LockTimeoutError)
    expect((failure as Error).message).toMatch(/stayed locked by another session .* tries of 100 ms each/)
    expect((failure as Error).message).not.toContain('\n')
  })

  it('does not retry other errors', async () => {
    let tries = 0
    const other = Object.assign(new Error('syntax error'), { code: '42601' })
    const fail = async (): Promise<never> => {
      tries++
      throw other
    }
    await expect(retryOnLockTimeout(fail, isLockTimeout, DEFAULT_LOCK_RETRY)).rejects.toBe(other)
    expect(tries).toBe(1)
  })
})
