/**
 * The database servers the benchmark runs against, and throw-away databases on them. It only
 * ever drops databases it created itself (their names start with `bench_`, then a run id).
 */
import { randomBytes } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import { connectDatabase } from '../src/index.js'

export type ServerKind = 'postgres' | 'mysql'

export const DEFAULT_SERVER_URLS: Record<ServerKind, string> = {
  postgres: 'postgres://postgres@127.0.0.1:5432/postgres',
  mysql: 'mysql://root@127.0.0.1:3306/mysql',
}

export function serverUrl(kind: ServerKind): string {
  const fromEnv = kind === 'postgres' ? process.env.BENCH_POSTGRES_URL : process.env.BENCH_MYSQL_URL
  return fromEnv || DEFAULT_SERVER_URLS[kind]
}

/** A database of the benchmark's own, dropped by `drop`. */
export interface BenchDatabase {
  readonly kind: ServerKind
  readonly name: string
  readonly url: string
  drop(): Promise<void>
}

const RUN_ID = `${Date.now().toString(36)}_${randomBytes(2).toString('hex')}`

/** A new database on `server` (the benchmark's server of `kind` unless another is given). */
export async function createBenchDatabase(kind: ServerKind, label: string, server = serverUrl(kind)): Promise<BenchDatabase> {
  const name = `bench_${RUN_ID}_${label}`
  await onServer(server, (db) => sql`create database ${sql.id(name)}`.execute(db))
  const url = new URL(server)
  url.pathname = `/${name}`
  return {
    kind,
    name,
    url: url.toString(),
    drop: () =>
      onServer(server, (db) =>
        sql`drop database if exists ${sql.id(name)}${kind === 'postgres' ? sql` with (force)` : sql``}`.execute(db),
      ),
  }
}

async function onServer(url: string, work: (db: import('kysely').Kysely<any>) => Promise<unknown>): Promise<void> {
  const { db } = await connectDatabase({ url })
  try {
    await work(db)
  } finally {
    await db.destroy()
  }
}

/** Runs `work` on a connection of its own to `copy`, closed afterwards (fill, check, assert). */
export async function onCopy(copy: BenchDatabase, work: (db: Kysely<any>) => Promise<unknown>): Promise<void> {
  const { db } = await connectDatabase({ url: copy.url })
  try {
    await work(db)
  } finally {
    await db.destroy()
  }
}
