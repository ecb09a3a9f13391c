/**
 * One process at a time per PGlite data folder.
 *
 * PGlite is PostgreSQL compiled to WASM inside one process: unlike a server it has no
 * postmaster to arbitrate, and two processes opening the same folder each see (and write) their
 * own stale copy. So the process that opens a folder holds a lock on it, and a second one fails
 * with a clear message.
 *
 * The lock is a Unix socket that the holder listens on, in the folder: the kernel, not a pid,
 * says whether the holder lives. While it runs, connecting succeeds (it answers with its pid, for
 * the message); once it has died in any way, SIGKILL and power loss included, connecting is
 * refused and the next opener takes the lock over. A pid file cannot tell this: after a
 * container restart the new process often gets the dead one's pid (issue 12), and a pid means
 * nothing in another container's pid namespace, while a socket in a shared folder is reached
 * from any of them. Written by hand: Node has no `flock`, and the lock libraries either lock by
 * mtime with a refresh timer (proper-lockfile) or are native add-ons (fs-ext, os-lock).
 *
 * Opening the same folder twice in one process is refused too, by a registry in memory.
 */
import { closeSync, mkdirSync, openSync, realpathSync, rmdirSync, rmSync, statSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { createConnection, createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { ConnectionError } from '../../errors.js'

/** The socket the holder listens on. */
export const LOCK_SOCKET = 'artorizer-auth-db.lock.sock'
/** The pid file of earlier versions: meaningless now, removed when found. */
const LEGACY_LOCK_FILE = 'artorizer-auth-db.lock'
/** Held (as a directory) by a process replacing a dead holder's socket, so that two never both do. */
const TAKEOVER_DIR = 'artorizer-auth-db.lock.takeover'
/** A takeover takes milliseconds; one older than this was left by a process that died in it. */
const STALE_TAKEOVER_MS = 30_000
/** How long a live holder has to say its pid; the lock is refused either way. */
const PID_ANSWER_MS = 2_000
/** `sun_path` is 108 bytes on Linux, 104 on macOS, NUL included; Node truncates longer paths silently. */
const MAX_SOCKET_PATH = 103

/** Whether a folder entry belongs to the lock (kept when a failed template copy is cleared away). */
export function isLockEntry(name: string): boolean {
  return name === LOCK_SOCKET || name === TAKEOVER_DIR || name === LEGACY_LOCK_FILE
}

/** Folders this process holds, by real path. */
const heldHere = new Set<string>()
/** Told to probers, so that a holder in this same process (another worker thread) is named as such. */
const PROCESS_TOKEN = randomUUID()

/** Takes the folder's lock; resolves with a function that releases it. */
export async function lockPgliteFolder(dataDir: string): Promise<() => void> {
  const folder = realpathSync(dataDir)
  const alreadyOpen = new ConnectionError(`the embedded database in ${dataDir} is already open in this process; share one connection (connectDatabase once)`)
  if (heldHere.has(folder)) throw alreadyOpen
  heldHere.add(folder)
  try {
    const { server, socket } = await acquire(folder, dataDir, alreadyOpen)
    rmSync(join(folder, LEGACY_LOCK_FILE), { force: true })
    let released = false
    return () => {
      if (released) return
      released = true
      heldHere.delete(folder)
      server.close(() => socket.close()) // closing removes the socket file
    }
  } catch (error) {
    heldHere.delete(folder)
    throw error
  }
}

async function acquire(folder: string, dataDir: string, alreadyOpen: Error): Promise<{ server: Server; socket: SocketPath }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const socket = socketPath(folder)
    const server = await listen(socket.path).catch((error: NodeJS.ErrnoException) => {
      socket.close()
      if (error.code !== 'EADDRINUSE') throw error
      return undefined
    })
    if (server) return { server, socket }
    const holder = await probe(folder)
    if (holder.alive) {
      if (holder.token === PROCESS_TOKEN) throw alreadyOpen
      const who = holder.pid ? `process ${holder.pid}` : 'another process'
      throw new ConnectionError(`the embedded database in ${dataDir} is in use by ${who}; stop that process, or point DATABASE_URL at a server`)
    }
    await takeOver(folder)
  }
  throw new ConnectionError(`could not lock the embedded database in ${dataDir}; remove ${join(dataDir, LOCK_SOCKET)} if no process uses it`)
}

/** Listens on the folder's socket; rejects with EADDRINUSE while the socket file exists. */
function listen(path: string): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const server = createServer((conn) => {
      conn.unref()
      conn.on('error', () => {}) // the prober may hang up first
      conn.end(`${JSON.stringify({ pid: process.pid, token: PROCESS_TOKEN })}\n`)
    })
    server.once('error', reject)
    server.listen(path, () => {
      server.removeListener('error', reject)
      server.on('error', () => {})
      server.unref() // the lock must not keep the process alive
      resolve(server)
    })
  })
}

type Holder = { readonly alive: true; readonly pid?: number; readonly token?: string } | { readonly alive: false }

/** Whether a process listens on the folder's socket, and who it says it is if it says so in time. */
async function probe(folder: string): Promise<Holder> {
  const socket = socketPath(folder)
  try {
    return await new Promise<Holder>((resolve, reject) => {
      const conn = createConnection(socket.path)
      let answer = ''
      let connected = false
      const finish = (holder: Holder): void => {
        clearTimeout(timer)
        conn.destroy()
        resolve(holder)
      }
      const timer = setTimeout(() => finish({ alive: true }), PID_ANSWER_MS)
      conn.on('connect', () => (connected = true))
      conn.on('data', (chunk) => (answer += chunk.toString()))
      conn.on('end', () => finish({ alive: true, ...parseAnswer(answer) }))
      conn.on('error', (error: NodeJS.ErrnoException) => {
        if (connected) return finish({ alive: true })
        // Refused: nobody listens, the holder died. Gone: it let go meanwhile; try again.
        if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') return finish({ alive: false })
        clearTimeout(timer)
        reject(error)
      })
    })
  } finally {
    socket.close()
  }
}

function parseAnswer(answer: string): { pid?: number; token?: string } {
  try {
    const { pid, token } = JSON.parse(answer) as { pid?: unknown; token?: unknown }
    return { pid: typeof pid === 'number' ? pid : undefined, token: typeof token === 'string' ? token : undefined }
  } catch {
    return {}
  }
}

/**
 * Removes a dead holder's socket, unless another process did so and took the lock meanwhile:
 * under a takeover directory, the holder is probed again before its socket is removed.
 */
async function takeOver(folder: string): Promise<void> {
  const mutex = join(folder, TAKEOVER_DIR)
  try {
    mkdirSync(mutex)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    const age = Date.now() - (statSync(mutex, { throwIfNoEntry: false })?.mtimeMs ?? Date.now())
    if (age > STALE_TAKEOVER_MS) rmSync(mutex, { recursive: true, force: true })
    else await new Promise((resolve) => setTimeout(resolve, 50))
    return // the caller tries again from the start
  }
  try {
    if (!(await probe(folder)).alive) rmSync(join(folder, LOCK_SOCKET), { force: true })
  } finally {
    rmdirSync(mutex)
  }
}

interface SocketPath {
  readonly path: string
  /** Closes what the path needs open; a listening server's path must stay open while it listens. */
  close(): void
}

/**
 * A path to the folder's socket that fits in `sun_path`: the path itself, or, for a deep folder
 * on Linux, the same file reached through an open descriptor of the folder (`/proc/self/fd/N/`).
 */
function socketPath(folder: string): SocketPath {
  const direct = join(folder, LOCK_SOCKET)
  if (Buffer.byteLength(direct) <= MAX_SOCKET_PATH) return { path: direct, close: () => {} }
  if (process.platform !== 'linux') {
    throw new ConnectionError(`the embedded database's folder path ${folder} is too long for its lock socket; use a shorter path`)
  }
  const fd = openSync(folder, 'r')
  let open = true
  return {
    path: `/proc/self/fd/${fd}/${LOCK_SOCKET}`,
    close: () => {
      if (open) closeSync(fd)
      open = false
    },
  }
}
