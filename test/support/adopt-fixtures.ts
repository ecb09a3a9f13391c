/**
 * Existing databases for the adoption tests: Better Auth's tables as its own `better-auth
 * migrate` makes them, as an older or partial version left them, and legacy `artwork_jobs`
 * shapes, each with rows.
 */
import { isBookkeepingTable } from '../../src/model/bookkeeping-tables.js'
import { getMigrations } from 'better-auth/db/migration'
import { hashPassword } from 'better-auth/crypto'
import { sql, type Kysely } from 'kysely'
import type { AuthDatabase } from '../../src/index.js'
import { engineOf } from '../../src/engines/index.js'
import { listColumns, listIndexes } from '../../src/ddl/introspect.js'
import type { DatabaseKind } from './databases.js'
import { listTables } from './schema-snapshot.js'

export const AUTH_OPTIONS = {
  secret: 'test-secret-that-is-long-enough-for-better-auth',
  baseURL: 'http://localhost:3000',
  emailAndPassword: { enabled: true },
  logger: { disabled: true },
} as const

export const PASSWORD = 'correct horse battery staple'

/** Better Auth's own migration (`better-auth migrate`), run on `database`. */
export async function betterAuthMigrate(database: AuthDatabase): Promise<void> {
  const plan = await getMigrations({ ...AUTH_OPTIONS, database: { db: database.db, type: database.dialect } })
  await plan.runMigrations()
}

/** What Better Auth's own schema check would still create or add. */
export async function betterAuthPendingChanges(database: AuthDatabase): Promise<unknown[]> {
  const plan = await getMigrations({ ...AUTH_OPTIONS, database: { db: database.db, type: database.dialect } })
  return [...plan.toBeCreated, ...plan.toBeAdded, ...plan.toBeAddedIndexes]
}

/**
 * Better Auth's tables as an earlier version made them, written by hand: on MySQL `varchar(36)`
 * ids, `text` accountId/providerId, `timestamp(3)`, inline foreign keys that MySQL 8 ignores
 * (left out here, as MySQL 8 leaves them), unique keys named after their column; on PostgreSQL
 * plain `timestamp`, `*_fkey` foreign keys with ON DELETE CASCADE and `*_key` unique
 * constraints. Optional columns newer versions added are missing (`user.image`,
 * `session.ipAddress`/`userAgent`, `account.idToken`/`scope`/token expiries).
 */
export async function createOldBetterAuthTables(db: Kysely<any>, kind: DatabaseKind): Promise<void> {
  if (kind === 'mysql') {
    await sql`create table user (id varchar(36) not null primary key, name varchar(255) not null, email varchar(255) not null unique,
      emailVerified boolean not null, createdAt timestamp(3) not null default current_timestamp(3), updatedAt timestamp(3) not null default current_timestamp(3))`.execute(db)
    await sql`create table session (id varchar(36) not null primary key, expiresAt timestamp(3) not null, token varchar(255) not null unique,
      createdAt timestamp(3) not null default current_timestamp(3), updatedAt timestamp(3) not null default current_timestamp(3), userId varchar(36) not null)`.execute(db)
    await sql`create table account (id varchar(36) not null primary key, accountId text not null, providerId text not null, userId varchar(36) not null,
      accessToken text, refreshToken text, password text, createdAt timestamp(3) not null default current_timestamp(3), updatedAt timestamp(3) not null default current_timestamp(3))`.execute(db)
    await sql`create table verification (id varchar(36) not null primary key, identifier text not null, value text not null, expiresAt timestamp(3) not null,
      createdAt timestamp(3) null default current_timestamp(3), updatedAt timestamp(3) null default current_timestamp(3))`.execute(db)
    return
  }
  await sql`create table "user" (id text primary key, name text not null, email text not null unique, "emailVerified" boolean not null,
    "createdAt" timestamp not null default current_timestamp, "updatedAt" timestamp not null default current_timestamp)`.execute(db)
  await sql`create table session (id text primary key, "expiresAt" timestamp not null, token text not null unique,
    "createdAt" timestamp not null default current_timestamp, "updatedAt" timestamp not null default current_timestamp,
    "userId" text not null references "user" (id) on delete cascade)`.execute(db)
  await sql`create table account (id text primary key, "accountId" text not null, "providerId" text not null,
    "userId" text not null references "user" (id) on delete cascade, "accessToken" text, "refreshToken" text, password text,
    "createdAt" timestamp not null default current_timestamp, "updatedAt" timestamp not null default current_timestamp)`.execute(db)
  await sql`create table verification (id varchar(36) primary key, identifier text not null, value text not null, "expiresAt" timestamp not null,
    "createdAt" timestamp, "updatedAt" timestamp)`.execute(db)
}

/**
 * Users as an older Better Auth wrote them into {@link createOldBetterAuthTables}: a user, its
 * credential account with a real password hash (so that Better Auth can sign them in), and a
 * session each; plus a verification row.
 */
export async function insertOldBetterAuthRows(db: Kysely<any>, count: number): Promise<string[]> {
  const emails: string[] = []
  const hash = await hashPassword(PASSWORD)
  for (let i = 0; i < count; i++) {
    const id = `olduser${i}`.padEnd(32, 'x')
    const email = `old${i}@example.com`
    emails.push(email)
    const at = new Date(Date.UTC(2024, 0, 1 + i, 12, 0, 0, 123))
    await db.insertInto('user').values({ id, name: `Old ${i}`, email, emailVerified: i % 2 === 0, createdAt: at, updatedAt: at }).execute()
    await db.insertInto('account').values({ id: `acc${i}`.padEnd(32, 'a'), accountId: id, providerId: 'credential', userId: id, password: hash, createdAt: at, updatedAt: at }).execute()
    await db.insertInto('session').values({ id: `ses${i}`.padEnd(32, 's'), token: `tok${i}`.padEnd(32, 't'), userId: id, expiresAt: new Date(Date.UTC(2030, 0, 1)), createdAt: at, updatedAt: at }).execute()
  }
  await db.insertInto('verification').values({ id: 'v'.repeat(36), identifier: 'email-verification', value: 'abc', expiresAt: new Date(Date.UTC(2030, 0, 1)) }).execute()
  return emails
}

/**
 * Every row of every table (but Kysely's and the ledger), in primary key order; with `columns`
 * (the tables and columns before the migration), of those tables and columns only: what must
 * not change.
 */
export async function snapshotRows(db: Kysely<any>, columns?: Record<string, string[]>): Promise<Record<string, unknown[]>> {
  const rows: Record<string, unknown[]> = {}
  const tables = columns ? Object.keys(columns) : await listTables(db)
  for (const table of tables) {
    if (isBookkeepingTable(table)) continue
    const names = columns?.[table] ?? (await listColumns(db, table)).map((c) => c.name)
    const primary = (await listIndexes(db, table)).find((i) => i.primary)?.columns ?? names
    let query = db.selectFrom(table).select(names.map((n) => sql.ref(n).as(n)))
    for (const column of primary) query = query.orderBy(sql.ref(column))
    rows[table] = await query.execute()
  }
  return rows
}

/** Each table's column names, for {@link snapshotRows}. */
export async function columnNames(db: Kysely<any>): Promise<Record<string, string[]>> {
  const names: Record<string, string[]> = {}
  for (const table of await listTables(db)) names[table] = (await listColumns(db, table)).map((c) => c.name)
  return names
}

/** A legacy `artwork_jobs` shape. */
export interface LegacyShape {
  readonly title: string
  readonly kinds?: readonly DatabaseKind[]
  /** Creates `artwork_jobs` (and `upload_history` when `uploadHistory`) without rows. */
  create(db: Kysely<any>, kind: DatabaseKind): Promise<void>
  /** The rows to insert: must not change. */
  rows(i: number): Record<string, unknown>
  readonly uploadHistory: boolean
  readonly createdAt: boolean
}

const legacyRow = (i: number) => ({ job_id: `legacy-${i}`, original_url: `s3://in/${i}.png`, status: i % 3 ? 'done' : 'queued' })

export const LEGACY_SHAPES: readonly LegacyShape[] = [
  {
    title: 'integer ids, extra columns, no status default, with upload_history',
    uploadHistory: true,
    createdAt: true,
    create: async (db, kind) => {
      const serial = kind === 'mysql' ? sql`int not null auto_increment primary key` : sql`serial primary key`
      await sql`create table artwork_jobs (id ${serial}, job_id varchar(64) not null, original_url text not null, protected_url text,
        status varchar(20) not null, created_at timestamp not null default current_timestamp, extra_note text, width integer)`.execute(db)
      await sql`create table upload_history (id ${serial}, filename text, uploaded_at timestamp not null default current_timestamp)`.execute(db)
    },
    rows: (i) => ({ ...legacyRow(i), extra_note: i % 2 ? null : `note ${i}`, width: 100 + i }),
  },
  {
    title: 'bigint ids, no created_at, no upload_history',
    uploadHistory: false,
    createdAt: false,
    create: async (db, kind) => {
      const id = kind === 'mysql' ? sql`bigint not null auto_increment primary key` : sql`bigint generated by default as identity primary key`
      await sql`create table artwork_jobs (id ${id}, job_id text not null, original_url text not null, status text not null default 'pending')`.execute(db)
    },
    rows: legacyRow,
  },
  {
    title: 'uuid ids',
    uploadHistory: false,
    createdAt: true,
    create: async (db, kind) => {
      const id = kind === 'mysql' ? sql`char(36) not null primary key` : sql`uuid primary key`
      await sql`create table artwork_jobs (id ${id}, job_id text not null, original_url text not null, status text not null,
        created_at timestamp not null default current_timestamp)`.execute(db)
    },
    rows: (i) => ({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, ...legacyRow(i) }),
  },
  ...(['latin1', 'utf8mb3'] as const).map(
    (charset): LegacyShape => ({
      title: `a ${charset} table`,
      kinds: ['mysql'],
      uploadHistory: true,
      createdAt: true,
      create: async (db) => {
        await sql`create table artwork_jobs (id int not null auto_increment primary key, job_id varchar(64) not null, original_url text not null,
          status varchar(20) not null, created_at datetime not null default current_timestamp) engine=InnoDB default charset=${sql.raw(charset)}`.execute(db)
        await sql`create table upload_history (id int not null auto_increment primary key, filename varchar(200))
          engine=InnoDB default charset=${sql.raw(charset)}`.execute(db)
      },
      rows: (i) => ({ ...legacyRow(i), original_url: `s3://in/café-${i}.png` }),
    }),
  ),
]

/** Drops every table, so that one database serves several cases (a fresh PGlite costs seconds). */
export async function dropAllTables(db: Kysely<any>): Promise<void> {
  const tables = await listTables(db)
  if (tables.length === 0) return
  if (engineOf(db).sqlDialect === 'mysql') {
    await db.connection().execute(async (conn) => {
      await sql`set session foreign_key_checks = 0`.execute(conn)
      try {
        await sql`drop table ${sql.join(tables.map((t) => sql.table(t)))}`.execute(conn)
      } finally {
        await sql`set session foreign_key_checks = 1`.execute(conn)
      }
    })
  } else {
    await sql`drop table ${sql.join(tables.map((t) => sql.table(t)))} cascade`.execute(db)
  }
}
