/**
 * Which `t_*` databases a test run may drop at its start: only those provably left by a process
 * that is gone (other runs share the servers), or older than six hours.
 */
import { expect, it } from 'vitest'
import { MAX_AGE_MS, isLeftover, testDatabaseName, type ProcessIdentity } from '../support/leftovers.js'

const self: ProcessIdentity = { boot: '0123abcd', pidNamespace: 'abc123', pid: 4242 }
const now = Date.UTC(2026, 11, 1, 12)
const dead = new Set([77])
const isAlive = (pid: number) => !dead.has(pid)

it("drops a database whose creator, on this boot and in this pid namespace, no longer runs", () => {
  expect(isLeftover(testDatabaseName({ ...self, pid: 77 }, now - 1000), self, now, isAlive)).toBe(true)
})

it('keeps one whose creator still runs, or whose creator it cannot see (another boot or pid namespace), while young', () => {
  expect(isLeftover(testDatabaseName({ ...self, pid: 78 }, now - 1000), self, now, isAlive)).toBe(false)
  expect(isLeftover(testDatabaseName({ ...self, pid: 77, pidNamespace: 'zzz' }, now - 1000), self, now, isAlive)).toBe(false)
  expect(isLeftover(testDatabaseName({ ...self, pid: 77, boot: 'ffffffff' }, now - 1000), self, now, isAlive)).toBe(false)
})

it('drops any older than six hours, whoever made it, in the earlier naming too', () => {
  expect(isLeftover(testDatabaseName({ ...self, pid: 78, boot: 'ffffffff' }, now - MAX_AGE_MS - 1), self, now, isAlive)).toBe(true)
  expect(isLeftover(`t_${(now - MAX_AGE_MS - 1).toString(36)}_a1b2c3`, self, now, isAlive)).toBe(true)
  expect(isLeftover(`t_${(now - 1000).toString(36)}_a1b2c3`, self, now, isAlive)).toBe(false)
})

it('leaves names of any other shape alone', () => {
  for (const name of ['t_users', 'test_db', 't_', 'production', 't_0123abcd_abc123_1x_zz']) expect(isLeftover(name, self, now, () => false)).toBe(false)
})

it('names fit PostgreSQL (63) and MySQL (64)', () => {
  const name = testDatabaseName({ boot: 'ffffffff', pidNamespace: (2 ** 32).toString(36), pid: 4_194_304 })
  expect(name.length).toBeLessThanOrEqual(63)
  expect(name).toMatch(/^t_[0-9a-z_]+$/)
})
