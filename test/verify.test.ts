import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { migrateToLatest, verifyDatabase, type AuthDatabase } from '../src/index.js'
import { type CheckItem, type VerificationReport } from '../src/tools.js'
import { createTestDatabase, describeEachDatabase, useSuiteDatabase, type DatabaseKind, type TestDatabase } from './support/databases.js'

const problems = (report: VerificationReport, status: CheckItem['status'] = 'fail') =>
  report.checks.flatMap((check) => check.items.filter((item) => item.status === status).map((item) => ({ check: check.name, ...item })))

const checkStatus = (report: VerificationReport, name: string) => report.checks.find((check) => check.name === name)?.status

function dropIndex(kind: DatabaseKind, table: string, name: string) {
  return kind === 'mysql' ? sql`alter table ${sql.table(table)} drop index ${sql.id(name)}` : sql`drop index ${sql.id(name)}`
}

function dropForeignKey(kind: DatabaseKind, table: string, name: string) {
  return kind === 'mysql'
    ? sql`alter table ${sql.table(table)} drop foreign key ${sql.id(name)}`
    : sql`alter table ${sql.table(table)} drop constraint ${sql.id(name)}`
}

describeEachDatabase('db:verify', (kind) => {
  let db: Kysely<any>
  const { cli } = useSuiteDatabase(kind, ({ database }) => (db = database.db))

  it('fails on an empty database: migrations pending, tables missing, Better Auth would create them', async () => {
    const report = await verifyDatabase(db)
    expect(report.ok).toBe(false)
    expect(problems(report)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ check: 'migrations', subject: 'pending', fix: 'run npx artorizer-auth-db migrate:latest' }),
        expect.objectContaining({ check: 'tables', subject: 'user', detail: 'missing' }),
        expect.objectContaining({ check: 'better-auth', subject: 'tables to create', detail: 'user, session, account, verification' }),
      ]),
    )
  })

  it('passes every check once migrated, and says so on the command line', async () => {
    await migrateToLatest(db)
    const report = await verifyDatabase(db)
    expect(problems(report)).toEqual([])
    expect(problems(report, 'warn')).toEqual([])
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([
      ['migrations', 'ok'],
      ['auth-options', 'ok'],
      ['drift', 'ok'],
      ['tables', 'ok'],
      ['columns', 'ok'],
      ['foreign-keys', 'ok'],
      ['indexes', 'ok'],
      ['better-auth', 'ok'],
    ])
    const { code, stdout } = await cli('db:verify')
    expect(code).toBe(0)
    expect(stdout).toContain('✅ artwork_jobs.user_id → user.id: ON DELETE CASCADE (artwork_jobs_user_id_fk)')
    expect(stdout).toContain('✅ getMigrations: finds nothing to create or add')
    expect(stdout).toContain('✅ Database matches the schema')
  })

  it("catches a dropped index and a dropped foreign key that Better Auth's check misses", async () => {
    await dropIndex(kind, 'verification', 'verification_identifier_idx').execute(db)
    await dropForeignKey(kind, 'artwork_jobs', 'artwork_jobs_user_id_fk').execute(db)

    const report = await verifyDatabase(db)
    expect(checkStatus(report, 'better-auth')).toBe('ok') // Better Auth alone would call this schema fine
    expect(report.ok).toBe(false)
    expect(problems(report)).toEqual([
      expect.objectContaining({
        check: 'foreign-keys',
        subject: 'artwork_jobs.user_id → user.id',
        detail: 'missing (artwork_jobs_user_id_fk)',
        fix: expect.stringMatching(/recreate it: alter table .artwork_jobs. add constraint .artwork_jobs_user_id_fk. .*on delete cascade/),
      }),
      expect.objectContaining({
        check: 'indexes',
        subject: 'verification_identifier_idx on verification (identifier)',
        detail: 'missing',
        fix: expect.stringMatching(/create index .verification_identifier_idx. on .verification. \(.identifier.\)/),
      }),
    ])

    const { code, stdout } = await cli('db:verify', '--json')
    expect(code).toBe(1)
    const json = JSON.parse(stdout) as { ok: boolean; failures: number; checks: { name: string; status: string; items: CheckItem[] }[] }
    expect(json).toMatchObject({ ok: false, failures: 2 })
    expect(json.checks.find((c) => c.name === 'indexes')?.items.find((i) => i.status === 'fail')?.subject).toContain('verification_identifier_idx')
  })

  it('accepts an equivalent index under another name, and the printed fixes repair the schema', async () => {
    await sql`create index ${sql.id('verification_lookup')} on ${sql.table('verification')} (${sql.ref('identifier')})`.execute(db)
    const fix = problems(await verifyDatabase(db)).find((item) => item.check === 'foreign-keys')?.fix ?? ''
    await sql.raw(fix.split('recreate it: ')[1]!).execute(db)
    const report = await verifyDatabase(db)
    expect(problems(report)).toEqual([])
    expect(report.checks.find((c) => c.name === 'indexes')?.items).toContainEqual({
      status: 'ok',
      subject: 'verification_identifier_idx on verification (identifier)',
      detail: 'as verification_lookup',
    })
  })

  it('fails a foreign key that does not cascade, and columns of the wrong type (also through Better Auth)', async () => {
    await dropForeignKey(kind, 'session', 'session_userId_fk').execute(db)
    await sql`alter table ${sql.table('session')} add constraint ${sql.id('session_userId_fk')}
      foreign key (${sql.ref('userId')}) references ${sql.table('user')} (${sql.ref('id')}) on delete restrict`.execute(db)
    const retype =
      kind === 'mysql'
        ? sql`alter table ${sql.table('user')} modify ${sql.ref('image')} varchar(100) null`
        : sql`alter table ${sql.table('user')} alter column ${sql.ref('image')} type varchar(100)`
    await retype.execute(db)
    const expiresAsText =
      kind === 'mysql'
        ? sql`alter table ${sql.table('session')} modify ${sql.ref('expiresAt')} varchar(40) not null`
        : sql`alter table ${sql.table('session')} alter column ${sql.ref('expiresAt')} type text`
    await expiresAsText.execute(db)

    const failed = problems(await verifyDatabase(db))
    expect(failed).toEqual(
      expect.arrayContaining([
        // Better Auth only logs a type mismatch; db:verify reports it as a failure of its check.
        expect.objectContaining({ check: 'better-auth', subject: 'schema problem', detail: expect.stringContaining('expiresAt') }),
        expect.objectContaining({ check: 'columns', subject: 'session.expiresAt' }),
        expect.objectContaining({ check: 'foreign-keys', subject: 'session.userId → user.id', detail: expect.stringContaining('deletes RESTRICT, expected ON DELETE CASCADE') }),
        expect.objectContaining({ check: 'columns', subject: 'user.image', detail: expect.stringMatching(/^is (varchar|character varying)\(100\).*, expected text/) }),
      ]),
    )
  })

  it('names each schema difference by its finding code, the same on every engine', async () => {
    await dropIndex(kind, 'verification', 'verification_lookup').execute(db)
    await sql`alter table ${sql.table('artwork_jobs')} drop column ${sql.ref('status')}`.execute(db)
    const report = await verifyDatabase(db)
    const coded = [...problems(report), ...problems(report, 'warn')]
      .filter((item) => item.code !== undefined)
      .map((item) => `${item.status} ${item.check} ${item.code} ${item.subject}`)
    expect(coded.sort()).toEqual(
      [
        // artwork_jobs may be a legacy table: its own columns only warn.
        'warn columns column-missing artwork_jobs.status',
        'fail columns column-type-differs session.expiresAt',
        'fail columns column-type-differs user.image',
        'fail foreign-keys foreign-key-on-delete session.userId → user.id',
        'fail indexes index-missing verification_identifier_idx on verification (identifier)',
      ].sort(),
    )
  })
})

describeEachDatabase('db:verify on a legacy artwork_jobs', (kind) => {
  let testDb: TestDatabase
  let database: AuthDatabase

  beforeAll(async () => {
    testDb = await createTestDatabase(kind)
    database = await testDb.connect()
    const serial = kind === 'mysql' ? sql`int not null auto_increment primary key` : sql`serial primary key`
    await sql`create table artwork_jobs (id ${serial}, job_id varchar(64) not null, original_url text not null, status varchar(20) not null)`.execute(
      database.db,
    )
    await migrateToLatest(database.db)
  })
  afterAll(async () => {
    await database?.db.destroy()
    await testDb?.drop()
  })

  it('passes with warnings for what the legacy table keeps its own way', async () => {
    const report = await verifyDatabase(database.db)
    expect(problems(report)).toEqual([])
    expect(report.ok).toBe(true)
    const warned = problems(report, 'warn').map((item) => `${item.check}: ${item.subject}`)
    expect(warned).toEqual(
      expect.arrayContaining([
        'columns: artwork_jobs.id',
        'columns: artwork_jobs.job_id',
        'columns: artwork_jobs.created_at',
        'columns: artwork_jobs.protected_url',
        'indexes: artwork_jobs_job_id_uidx on artwork_jobs (job_id) unique',
        'indexes: artwork_jobs_user_id_created_at_idx on artwork_jobs (user_id, created_at)',
      ]),
    )
    expect(warned.some((w) => w.includes('user_id_idx on') || w.includes('user_id →'))).toBe(false)
  })
})
