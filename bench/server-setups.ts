/**
 * Whether the index build's stall is the server's configuration: the `server-setups` part of
 * `npm run bench` (`npm run bench -- --parts server-setups --rows 10000000`; not among the
 * default parts: it starts private servers of its own, two for PostgreSQL and six for MariaDB,
 * and fills each).
 *
 * The `stall` part found the writer's worst insert waiting in its own commit while the index build
 * writes to the same disk. This part tests the causes that a server's configuration, not a
 * migration, decides. Each setup is a private server (`test/support/private-servers.ts`) of the
 * machine's PostgreSQL 15 or MariaDB binaries with their default settings (fsync and the commit
 * flush on) but for what the setup changes:
 *
 * - the log (WAL, redo log) on tmpfs (`/dev/shm`) instead of in the data folder on the machine's
 *   one disk: a log device of its own, whose flush does not queue behind the data writes. tmpfs
 *   keeps nothing over a power loss, so it stands in for a dedicated log disk (or one with a
 *   power-safe write cache): a measurement of where the wait is, not a setting to run with;
 * - MariaDB: a 2 GB buffer pool instead of 128 MB, so the build's new index pages need not be
 *   flushed to the disk to free pages for the writer's insert;
 * - MariaDB: `tmpdir` on tmpfs, where InnoDB writes the build's sort files and the online row log
 *   (the changes the writer makes during the build, which the writer's own thread appends).
 *
 * On each, the composite index is built the recipe's way while a writer inserts, as in the
 * `stall` part (`measureIndexStall`, its "recipe as it is" variant), two rounds each.
 */
import { mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { startPrivateMariadb, startPrivatePostgres, type PrivateServer } from '../test/support/private-servers.js'
import { measureIndexStall, type IndexStallRow } from './index-stall.js'
import type { ServerKind } from './servers.js'

/** tmpfs on every Linux machine; the data folders are in the temporary folder, on the disk. */
const TMPFS = '/dev/shm'

interface ServerSetup {
  readonly name: string
  /** Where the log is: in the data folder, or on tmpfs. */
  readonly log: 'data disk' | 'tmpfs'
  /** MariaDB's `tmpdir` (the build's sort files and the online row log) on tmpfs instead of the disk. */
  readonly tmpdirOnTmpfs?: boolean
  /** MariaDB's `innodb_buffer_pool_size`, when not its default (128 MB). */
  readonly bufferPool?: string
}

const SETUPS: Record<ServerKind, readonly ServerSetup[]> = {
  postgres: [
    { name: 'private server, log on the data disk', log: 'data disk' },
    { name: 'private server, log on tmpfs (a device of its own)', log: 'tmpfs' },
  ],
  mysql: [
    { name: 'private server, log on the data disk', log: 'data disk' },
    { name: 'private server, log on tmpfs (a device of its own)', log: 'tmpfs' },
    { name: 'private server, buffer pool 2 GB', log: 'data disk', bufferPool: '2G' },
    { name: 'private server, buffer pool 2 GB, log on tmpfs', log: 'tmpfs', bufferPool: '2G' },
    { name: 'private server, tmpdir on tmpfs', log: 'data disk', tmpdirOnTmpfs: true },
    { name: 'private server, tmpdir and log on tmpfs', log: 'tmpfs', tmpdirOnTmpfs: true },
  ],
}

function startServer(kind: ServerKind, setup: ServerSetup): Promise<PrivateServer> {
  if (kind === 'postgres') {
    // initdb makes the WAL folder itself (it must not exist yet) and links pg_wal to it.
    const waldir = join(TMPFS, `artorizer-wal-${process.pid}-${Date.now().toString(36)}`)
    if (setup.log === 'data disk') return startPrivatePostgres({ name: 'setup-pg' })
    return startPrivatePostgres({ name: 'setup-pg', initdbArgs: [`--waldir=${waldir}`], folders: [waldir] })
  }
  const args = setup.bufferPool ? [`--innodb-buffer-pool-size=${setup.bufferPool}`] : []
  const folders: string[] = []
  if (setup.log === 'tmpfs') {
    const redo = mkdtempSync(join(TMPFS, 'artorizer-redo-'))
    args.push(`--innodb-log-group-home-dir=${redo}`)
    folders.push(redo)
  }
  if (setup.tmpdirOnTmpfs) {
    const tmp = mkdtempSync(join(TMPFS, 'artorizer-tmp-'))
    args.push(`--tmpdir=${tmp}`)
    folders.push(tmp)
  }
  return startPrivateMariadb({ name: 'setup-maria', args, folders })
}


/** The recipe's build on a private server of each setup, one server at a time. */
export async function measureServerSetups(kind: ServerKind, options: { readonly rows: number; readonly rounds?: number; readonly log: (line: string) => void }): Promise<IndexStallRow[]> {
  const out: IndexStallRow[] = []
  for (const setup of SETUPS[kind]) {
    options.log(`${kind}: ${setup.name}...`)
    const server = await startServer(kind, setup)
    try {
      const url = server.url('127.0.0.1', kind === 'postgres' ? 'postgres' : 'mysql')
      out.push(...(await measureIndexStall(kind, { ...options, server: url, variants: [{ name: setup.name }] })))
    } finally {
      await server.stop()
    }
  }
  return out
}
