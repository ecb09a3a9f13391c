/**
 * What earlier test runs left behind: `t_*` databases on the servers (and PGlite folders in the
 * temporary directory) of a run that was interrupted before its `drop()`s. Other test runs may
 * share the servers at the same moment, so only what is provably dead is removed: each test
 * database is named after the process that created it (host boot, pid namespace, pid, time), and
 * one is dropped when that process is gone, or when it is older than {@link MAX_AGE_MS} (no run
 * lasts that long) whoever made it. Names of any other shape are left alone.
 */
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { connectDatabase } from '../../src/index.js'

export const MAX_AGE_MS = 6 * 60 * 60 * 1000

/** Who a process is, across reboots and pid namespaces. */
export interface ProcessIdentity {
  /** The first 8 hex digits of the kernel's boot id; `x` where there is none. */
  readonly boot: string
  /** The pid namespace's inode, base 36; `0` where there is none. */
  readonly pidNamespace: string
  readonly pid: number
}

export function currentProcess(): ProcessIdentity {
  let boot = 'x'
  let pidNamespace = '0'
  try {
    boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').replace(/-/g, '').slice(0, 8)
    pidNamespace = Number(/\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? 0).toString(36)
  } catch {
    // Not Linux: the age rule alone applies to these names.
  }
  return { boot, pidNamespace, pid: process.pid }
}

/** A new test database's name: `t_<boot>_<pid namespace>_<pid>_<time>_<random>`, all within 63 characters. */
export function testDatabaseName(self: ProcessIdentity = currentProcess(), now = Date.now()): string {
  return `t_${self.boot}_${self.pidNamespace}_${self.pid.toString(36)}_${now.toString(36)}_${randomBytes(3).toString('hex')}`
}

const NAMED = /^t_([0-9a-f]{8}|x)_([0-9a-z]+)_([0-9a-z]+)_([0-9a-z]+)_[0-9a-f]{6}$/
/** The names of earlier versions: `t_<time>_<random>`. */
const OLD_NAMED = /^t_([0-9a-z]+)_[0-9a-f]{6}$/

/**
 * Whether the database `name` was left by a test process that is gone: one of this machine's
 * boot and pid namespace whose pid no longer runs, or any older than {@link MAX_AGE_MS}.
 */
export function isLeftover(name: string, self: ProcessIdentity, now: number, isAlive: (pid: number) => boolean = processIsAlive): boolean {
  const named = NAMED.exec(name)
  if (named) {
    const [, boot, pidNamespace, pid, created] = named
    if (now - parseInt(created!, 36) > MAX_AGE_MS) return true
    const mine = boot === self.boot && pidNamespace === self.pidNamespace && boot !== 'x'
    return mine && !isAlive(parseInt(pid!, 36))
  }
  const old = OLD_NAMED.exec(name)
  if (old) return now - parseInt(old[1]!, 36) > MAX_AGE_MS
  return false
}

export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Drops the leftover `t_*` databases on the servers given (unreachable ones are skipped: their
 * suites report them) and removes PGlite folders older than {@link MAX_AGE_MS}. `alsoMine`: at
 * the end of a run, this process's own databases are leftovers too (its tests have ended).
 */
export async function dropLeftovers(servers: { postgres: string | null; mysql: string | null }, { alsoMine = false } = {}): Promise<string[]> {
  const self = currentProcess()
  const now = Date.now()
  const alive = (pid: number) => !(alsoMine && pid === process.pid) && processIsAlive(pid)
  const dropped: string[] = []
  for (const [kind, url] of Object.entries(servers)) {
    if (!url) continue
    let admin: Awaited<ReturnType<typeof connectDatabase>> | undefined
    try {
      admin = await connectDatabase({ url })
      const names =
        kind === 'postgres'
          ? (await sql<{ name: string }>`select datname as name from pg_database where datname like 't\\_%'`.execute(admin.db)).rows
          : (await sql<{ name: string }>`select schema_name as name from information_schema.schemata where schema_name like 't\\_%'`.execute(admin.db)).rows
      for (const { name } of names) {
        if (!isLeftover(name, self, now, alive)) continue
        const force = kind === 'postgres' ? sql` with (force)` : sql``
        await sql`drop database if exists ${sql.id(name)}${force}`.execute(admin.db)
        dropped.push(`${kind}:${name}`)
      }
    } catch (error) {
      console.warn(`⚠️  could not drop leftover test databases on ${kind}: ${(error as Error).message}`)
    } finally {
      await admin?.db.destroy()
    }
  }
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith('artorizer-pglite-')) continue
    const path = join(tmpdir(), entry)
    const modified = statSync(path, { throwIfNoEntry: false })?.mtimeMs
    if (modified !== undefined && now - modified > MAX_AGE_MS) {
      rmSync(path, { recursive: true, force: true })
      dropped.push(`pglite:${path}`)
    }
  }
  return dropped
}
