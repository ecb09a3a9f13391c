/**
 * Whether the index build's stall is the log's disk: the `log-device` part of `npm run bench`
 * (`npm run bench -- --parts log-device --rows 10000000`; not among the default parts: it starts
 * two servers of its own per engine and fills each).
 *
 * The `stall` part found the writer's worst insert waiting for its own commit's log flush behind
 * the index build's writes to the same disk. This part tests that as a cause: two private
 * servers per engine (`test/support/private-servers.ts`), the machine's PostgreSQL 15 and
 * MariaDB binaries with their default settings (fsync and the commit flush on), identical but
 * for where the WAL / redo log lives:
 *
 * - in the data folder, on the machine's one disk (as the machine's own servers have it);
 * - on tmpfs (`/dev/shm`): a log device of its own, whose flush does not queue behind the data
 *   writes. tmpfs keeps nothing over a power loss, so this stands in for a dedicated log disk
 *   (or one with a power-safe write cache); it is a measurement of where the wait is, not a
 *   setting to run with.
 *
 * On each, the composite index is built the recipe's way while a writer inserts, as in the
 * `stall` part (`measureIndexStall`, its "recipe as it is" variant), two rounds each.
 */
import { mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { startPrivateMariadb, startPrivatePostgres, type PrivateServer } from '../test/support/private-servers.js'
import { measureIndexStall, type IndexStallRow } from './index-stall.js'
import type { ServerKind } from './servers.js'

/** Where a private server's log is. */
type LogPlace = 'data disk' | 'tmpfs'

const LOG_PLACES: readonly LogPlace[] = ['data disk', 'tmpfs']

/** tmpfs on every Linux machine; the data folders are in the temporary folder, on the disk. */
const TMPFS = '/dev/shm'

function startServer(kind: ServerKind, place: LogPlace): Promise<PrivateServer> {
  if (kind === 'postgres') {
    // initdb makes the WAL folder itself (it must not exist yet) and links pg_wal to it.
    const waldir = join(TMPFS, `artorizer-wal-${process.pid}-${Date.now().toString(36)}`)
    return startPrivatePostgres({ name: 'log-device-pg', initdbArgs: place === 'tmpfs' ? [`--waldir=${waldir}`] : [] })
  }
  if (place === 'data disk') return startPrivateMariadb({ name: 'log-device-maria' })
  const redo = mkdtempSync(join(TMPFS, 'artorizer-redo-'))
  return startPrivateMariadb({ name: 'log-device-maria', args: [`--innodb-log-group-home-dir=${redo}`], folders: [redo] })
}

/** The recipe's build on a private server with its log on the data disk, then on one with it on tmpfs. */
export async function measureLogDevice(kind: ServerKind, options: { readonly rows: number; readonly rounds?: number; readonly log: (line: string) => void }): Promise<IndexStallRow[]> {
  const out: IndexStallRow[] = []
  for (const place of LOG_PLACES) {
    options.log(`${kind}: a private server with its log on ${place === 'tmpfs' ? 'tmpfs' : 'the data disk'}...`)
    const server = await startServer(kind, place)
    try {
      const name = place === 'tmpfs' ? 'private server, log on tmpfs (a device of its own)' : 'private server, log on the data disk'
      out.push(...(await measureIndexStall(kind, { ...options, server: server.url('127.0.0.1', kind === 'postgres' ? 'postgres' : 'mysql'), variants: [{ name }] })))
    } finally {
      await server.stop()
    }
  }
  return out
}
