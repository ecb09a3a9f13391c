/**
 * The PGlite folder lock is released by the operating system when its holder dies, whatever pid
 * the next process gets: after a container restart the new process often has the dead one's pid
 * (issue 12), which a pid file took for "already open in this process" or for a live stranger.
 * A live holder is still refused, also from another pid namespace (two containers sharing the
 * folder). The pid namespaces are real ones (`unshare -fp --mount-proc`), where the system allows.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { connectDatabase } from '../src/index.js'
import { bundle, finished, ROOT, spawnBundled, type ProcessResult } from './support/bundled-cli.js'
import { createTestDatabase, type TestDatabase } from './support/databases.js'

let folder: string
let testDb: TestDatabase
beforeEach(async () => {
  testDb = await createTestDatabase('pglite') // a copy of an initialised folder: no initdb per test
  folder = testDb.url.slice('pglite:'.length)
})
afterEach(() => testDb.drop())

/** Opens the folder in this process and runs a query; resolves with the error message, if any. */
async function openHere(): Promise<string | undefined> {
  const database = await connectDatabase({ url: `pglite:${folder}` })
  try {
    await sql`select 1`.execute(database.db)
    return undefined
  } catch (error) {
    return (error as Error).message
  } finally {
    await database.db.destroy()
  }
}

function holder(mode: 'open' | 'die'): Promise<ProcessResult> {
  return spawnBundled('test/support/pglite-holder.ts', [folder, mode]).then(finished)
}

/** Starts a process that holds the folder; resolves once it has it. */
async function liveHolder(): Promise<{ pid: number; stop: () => Promise<void> }> {
  const child = await spawnBundled('test/support/pglite-holder.ts', [folder, 'hold'])
  const ended = finished(child)
  const pid = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /OPENED (\d+)/.exec(chunk.toString())
      if (match) resolve(Number(match[1]))
    })
    void ended.then((r) => reject(new Error(`the holder ended: ${r.stderr}`)))
  })
  return {
    pid,
    stop: async () => {
      child.stdin!.end()
      await ended
    },
  }
}

describe('the PGlite folder lock', () => {
  it('is taken over from a holder that was SIGKILLed', async () => {
    const killed = await holder('die')
    expect(killed.signal, killed.stderr).toBe('SIGKILL')
    expect(await openHere()).toBeUndefined()
  })

  it("opens a folder whose earlier pid lock names this process's own pid, or a live stranger's", async () => {
    // What an earlier version left behind when its process died: a pid file. After a restart
    // that pid is the opener's own, or another live process's.
    for (const pid of [process.pid, process.ppid]) {
      writeFileSync(join(folder, 'artorizer-auth-db.lock'), String(pid))
      expect(await openHere()).toBeUndefined()
    }
  })

  it('refuses while a live process holds it, naming it, and opens once it is gone', async () => {
    const held = await liveHolder()
    try {
      expect(await openHere()).toMatch(new RegExp(`in use by process ${held.pid}; stop that process`))
      expect((await holder('open')).stderr).toContain(`in use by process ${held.pid}`)
    } finally {
      await held.stop()
    }
    expect(await openHere()).toBeUndefined()
  })

  it('works in a folder too deep for a socket path (sun_path holds about 107 bytes)', async () => {
    const deep = join(folder, 'd'.repeat(60), 'e'.repeat(60))
    const entries = readdirSync(folder)
    mkdirSync(deep, { recursive: true })
    for (const entry of entries) renameSync(join(folder, entry), join(deep, entry))
    folder = deep
    const held = await liveHolder()
    try {
      expect(await openHere()).toMatch(new RegExp(`in use by process ${held.pid}`))
    } finally {
      await held.stop()
    }
    expect(await openHere()).toBeUndefined()
    expect(readdirSync(deep)).not.toContain('artorizer-auth-db.lock.sock') // released: the socket is gone
  })

  it('refuses a second open in the same process', async () => {
    const first = await connectDatabase({ url: `pglite:${folder}` })
    try {
      await sql`select 1`.execute(first.db)
      expect(await openHere()).toMatch(/already open in this process/)
    } finally {
      await first.db.destroy()
    }
    expect(await openHere()).toBeUndefined()
  })
})

const unshare = spawnSync('unshare', ['-fp', '--mount-proc', 'true'], { stdio: 'ignore' })
const namespaces = unshare.error === undefined && unshare.status === 0

describe.skipIf(!namespaces)(`in new pid namespaces, as after a container restart${namespaces ? '' : ' [skipped: unshare -fp --mount-proc is not permitted here]'}`, () => {
  /**
   * Runs the holder as the first process after `before` in a new pid namespace: `sh` is pid 1,
   * so the holder is pid 2, or 3 when `before` starts another process first.
   */
  async function inNamespace(mode: 'open' | 'die' | 'hold', before = ''): Promise<ProcessResult> {
    const file = await bundle('test/support/pglite-holder.ts')
    const script = `${before}${JSON.stringify(process.execPath)} ${JSON.stringify(file)} ${JSON.stringify(folder)} ${mode}; true`
    return finished(spawn('unshare', ['-fp', '--mount-proc', 'sh', '-c', script], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] }))
  }

  it('opens a folder whose dead holder had the pid the opener gets, or a pid a live process now has', async () => {
    const killed = await inNamespace('die')
    expect(killed.stdout).toContain('OPENED 2')
    // The opener is pid 2 again: the dead holder's pid.
    const samePid = await inNamespace('open')
    expect(samePid.stderr).toBe('')
    expect(samePid.stdout).toContain('OPENED 2')
    // Killed again; now pid 2 is a live process (sleep) and the opener is pid 3.
    expect((await inNamespace('die')).stdout).toContain('OPENED 2')
    const stranger = await inNamespace('open', 'sleep 30 & ')
    expect(stranger.stderr).toBe('')
    expect(stranger.stdout).toContain('OPENED 3')
  })

  it('refuses a live holder in another pid namespace, though both have pid 2', async () => {
    const file = await bundle('test/support/pglite-holder.ts')
    const child = spawn('unshare', ['-fp', '--mount-proc', 'sh', '-c', `${JSON.stringify(process.execPath)} ${JSON.stringify(file)} ${JSON.stringify(folder)} hold; true`], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const ended = finished(child)
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('OPENED 2') && resolve())
        void ended.then((r) => reject(new Error(`the holder ended: ${r.stderr}`)))
      })
      const other = await inNamespace('open')
      expect(other.stdout).not.toContain('OPENED')
      expect(other.stderr).toContain('in use by process 2')
    } finally {
      child.stdin.end()
      await ended
    }
    expect((await inNamespace('open')).stdout).toContain('OPENED 2')
  })
})
