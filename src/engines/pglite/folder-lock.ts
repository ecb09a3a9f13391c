/**
 * One process at a time per PGlite data folder.
 *
 * PGlite is PostgreSQL compiled to WASM inside one process: unlike a server it has no
 * postmaster to arbitrate, and two processes opening the same folder each see (and write) their
 * own stale copy. A lock file holding the owner's pid makes a second process fail with a clear
 * message instead. A lock left by a process that died is taken over. Written by hand: the
 * well-kept lock libraries (e.g. proper-lockfile) lock by mtime and need a refresh timer, where a
 * pid check suffices for processes on one machine.
 */
import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs'
import { join } from 'node:path'
import { ConnectionError } from '../../errors.js'

/** The lock's file name inside the data folder. */
export const LOCK_FILE = 'artorizer-auth-db.lock'

/** Takes the folder's lock; returns a function that releases it. */
export function lockPgliteFolder(dataDir: string): () => void {
  const path = join(dataDir, LOCK_FILE)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx')
      writeSync(fd, String(process.pid))
      closeSync(fd)
      return () => rmSync(path, { force: true })
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error
      const owner = Number(readFileSync(path, 'utf8').trim())
      if (owner && owner !== process.pid && isAlive(owner)) {
        throw new ConnectionError(
          `the embedded database in ${dataDir} is in use by process ${owner}; stop that process, or point DATABASE_URL at a server`,
        )
      }
      if (owner === process.pid) {
        throw new ConnectionError(`the embedded database in ${dataDir} is already open in this process; share one connection (connectDatabase once)`)
      }
      rmSync(path, { force: true }) // left by a process that died
    }
  }
  throw new ConnectionError(`could not lock the embedded database in ${dataDir}; remove ${path} if no process uses it`)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM'
  }
}
