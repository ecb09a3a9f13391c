/**
 * Ids of another type (`generateId` changed after the tables were made): what the generated
 * migration lists, what the fold expects after it, and what the planner does or refuses, as
 * pure rules against catalog snapshots (no database).
 */
import { describe, expect, it } from 'vitest'
import { generateAuthMigration } from '../../src/auth-migration/generate.js'
import { DEFAULT_AUTH_SHAPE } from '../../src/model/auth-shape.js'
import { foldSchemas } from '../../src/model/migration-schema.js'
import { migrationSet } from '../../src/migrator/migration-set.js'
import { planMigrations } from '../../src/planner/plan.js'
import { CatalogSnapshot, type DataProbe } from '../../src/planner/catalog-snapshot.js'
import { offlineDb } from '../../src/planner/offline-db.js'
import { engineForDialect } from '../../src/engines/index.js'
import type { PlannedStep } from '../../src/planner/steps.js'

const UUID = { advanced: { database: { generateId: 'uuid' } } } as never
const NOW = new Date('2026-12-07T10:00:00Z')

async function generated(options = UUID) {
  return (await generateAuthMigration(options, { madeIn: DEFAULT_AUTH_SHAPE, name: 'ids', now: NOW }))!
}

function step(s: PlannedStep): string {
  const a = s.action
  switch (a.kind) {
    case 'dropForeignKey':
      return `drop key ${a.table}.${a.name}`
    case 'retypeColumn':
      return `retype ${a.retype.table}.${a.retype.column}`
    case 'remakeColumn':
      return `remake ${a.column.table}.${a.column.column} (${a.indexes.join(', ')})`
    case 'createIndex':
      return `index ${a.index.name}`
    case 'addForeignKey':
      return `add key ${a.foreignKey.table}.${a.foreignKey.name}`
    default:
      return a.kind
  }
}

/** The database after the module's migrations with string ids, as the plan of a fresh one leaves it, with some tables holding rows. */
async function migratedSnapshot(withRows: readonly string[], probe: Partial<DataProbe> = {}): Promise<CatalogSnapshot> {
  const engine = engineForDialect('postgres')
  const set = migrationSet()
  const plans = await planMigrations(CatalogSnapshot.fresh(engine), set.plannable(set.names), offlineDb(engine))
  // Replay every step on an empty catalog, then read it back as live tables.
  let fresh = CatalogSnapshot.fresh(engine)
  const { applyStep } = await import('../../src/planner/steps.js')
  for (const s of plans.flatMap((p) => p.steps)) fresh = applyStep(fresh, s.action, engine)
  const tables = new Map(
    ['user', 'session', 'account', 'verification', 'artwork_jobs'].map((name) => [name, { ...fresh.table(name)!, planned: false, created: true, hasRows: withRows.includes(name) }]),
  )
  const none: DataProbe = { duplicate: async () => undefined, orphan: async () => undefined, anyValue: async () => undefined, longest: async () => 0, referencingForeignKeys: async () => [] }
  return CatalogSnapshot.of(engine, tables, { ...none, ...probe }, offlineDb(engine))
}

describe('an id change, generated', () => {
  it('lists every table whose ids Better Auth makes and every column that references one, in the file', async () => {
    const migration = await generated()
    expect(migration.adds).toEqual(['change ids string → uuid'])
    const change = migration.schema.authShape!
    expect(change.views).toBe(false)
    expect(change.ids!.tables).toEqual([
      { table: 'user', column: 'id' },
      { table: 'session', column: 'id' },
      { table: 'account', column: 'id' },
      { table: 'verification', column: 'id' },
    ])
    expect(change.ids!.references.map((r) => `${r.table}.${r.column}${r.nullable ? '?' : ''}${r.ifTableExists ? ' if it exists' : ''}`)).toEqual([
      'session.userId',
      'account.userId',
      'artwork_jobs.user_id?',
      'upload_history.user_id? if it exists',
    ])
    expect(migration.source).toContain('runs only while those')
  })

  it('drops the views an earlier rename left before the ids change type (PostgreSQL cannot retype a column a view reads)', async () => {
    const plural = { user: { modelName: 'users' } }
    const rename = (await generateAuthMigration(plural as never, { madeIn: DEFAULT_AUTH_SHAPE, name: 'plural', now: NOW }))!
    const migrations = { [rename.name]: { schema: rename.schema } }
    const ids = (await generateAuthMigration({ ...plural, advanced: { database: { generateId: 'uuid' } } } as never, { madeIn: DEFAULT_AUTH_SHAPE, migrations, name: 'ids', now: new Date('2026-12-07T11:00:00Z') }))!
    expect(ids.adds).toEqual(['change ids string → uuid', 'drop view user'])
    expect(ids.schema.dropViews).toEqual(['user'])
    expect(ids.schema.authShape!.ids!.tables[0]).toEqual({ table: 'users', column: 'id' })
  })

  it('makes db:verify expect the new type for every id and reference', async () => {
    const migration = await generated()
    const fold = foldSchemas([...migrationSet().schemas(), migration.schema])
    const column = (table: string, name: string) => fold.tables.find((t) => t.name === table)!.columns.find((c) => c.name === name)!
    expect(column('user', 'id')).toMatchObject({ type: 'uuid', default: { randomUuid: true }, primaryKey: true })
    expect(column('session', 'userId').type).toEqual({ sameAs: { table: 'user', column: 'id' } })
    expect(column('artwork_jobs', 'user_id').type).toEqual({ sameAs: { table: 'user', column: 'id' } })
  })
})

describe('an id change, planned', () => {
  it('drops the keys, retypes the empty tables in place, remakes a NULL column of a table with rows with its index, and adds the keys back', async () => {
    const migration = await generated()
    const [plan] = await planMigrations(await migratedSnapshot(['artwork_jobs']), [{ name: 'ids', schema: migration.schema }], offlineDb(engineForDialect('postgres')))
    expect(plan!.findings).toEqual([])
    expect(plan!.steps.map(step)).toEqual([
      'drop key session.session_userId_fk',
      'drop key account.account_userId_fk',
      'drop key artwork_jobs.artwork_jobs_user_id_fk',
      'retype user.id',
      'retype session.id',
      'retype account.id',
      'retype verification.id',
      'retype session.userId',
      'retype account.userId',
      'remake artwork_jobs.user_id (artwork_jobs_user_id_idx, artwork_jobs_user_id_created_at_idx)',
      'index artwork_jobs_user_id_idx',
      'index artwork_jobs_user_id_created_at_idx',
      'add key session.session_userId_fk',
      'add key account.account_userId_fk',
      'add key artwork_jobs.artwork_jobs_user_id_fk',
    ])
    expect(plan!.steps.find((s) => s.action.kind === 'retypeColumn')!.statements).toContain('alter table "user" alter column "id" type uuid using cast("id" as uuid)')
  })

  it('refuses, before any change, while a table whose ids change holds rows, naming the way out', async () => {
    const migration = await generated()
    const [plan] = await planMigrations(await migratedSnapshot(['user', 'artwork_jobs']), [{ name: 'ids', schema: migration.schema }], offlineDb(engineForDialect('postgres')))
    expect(plan!.steps).toEqual([])
    expect(plan!.findings.map((f) => f.message)).toEqual([
      `"user" holds rows, so its ids cannot become uuid ids (an id cannot be converted, only made anew): keep advanced.database.generateId as the rows were made (a function, or unset), or start from a new database`,
    ])
  })

  it('refuses a reference that holds ids, and a foreign key to the ids that no migration retypes', async () => {
    const migration = await generated()
    const snapshot = await migratedSnapshot(['artwork_jobs'], {
      anyValue: async () => 'u1',
      referencingForeignKeys: async (table) =>
        table === 'user' ? [{ table: 'payments', name: 'payments_user_fk', columns: ['user_id'], referencedTable: 'user', referencedColumns: ['id'], onDelete: 'CASCADE', validated: true }] : [],
    })
    const [plan] = await planMigrations(snapshot, [{ name: 'ids', schema: migration.schema }], offlineDb(engineForDialect('postgres')))
    expect(plan!.findings.map((f) => f.code).sort()).toEqual(['id-change-rows', 'id-change-unknown-reference'])
    expect(plan!.findings.find((f) => f.code === 'id-change-unknown-reference')!.message).toMatch(/"payments"."user_id" references "user" through "payments_user_fk".*drop that foreign key/)
  })

  it('does nothing on a rerun once every id has the new type', async () => {
    const migration = await generated()
    const engine = engineForDialect('postgres')
    const [first] = await planMigrations(await migratedSnapshot(['artwork_jobs']), [{ name: 'ids', schema: migration.schema }], offlineDb(engine))
    const { applyStep } = await import('../../src/planner/steps.js')
    let after = await migratedSnapshot(['artwork_jobs'])
    for (const s of first!.steps) after = applyStep(after, s.action, engine)
    const [rerun] = await planMigrations(after, [{ name: 'ids', schema: migration.schema }], offlineDb(engine))
    expect(rerun!.steps).toEqual([])
  })

  it('resumes after a crash between dropping artwork_jobs.user_id and adding it again: the column, its indexes and its key come back', async () => {
    const migration = await generated()
    const engine = engineForDialect('postgres')
    const [first] = await planMigrations(await migratedSnapshot(['artwork_jobs']), [{ name: 'ids', schema: migration.schema }], offlineDb(engine))
    const { applyStep } = await import('../../src/planner/steps.js')
    let crashed = await migratedSnapshot(['artwork_jobs'])
    for (const s of first!.steps.slice(0, first!.steps.findIndex((s) => s.action.kind === 'remakeColumn'))) crashed = applyStep(crashed, s.action, engine)
    const jobs = crashed.table('artwork_jobs')!
    crashed = crashed.with({ ...jobs, columns: jobs.columns.filter((c) => c.name !== 'user_id'), indexes: jobs.indexes.filter((i) => !i.columns.includes('user_id')) })
    const [rerun] = await planMigrations(crashed, [{ name: 'ids', schema: migration.schema }], offlineDb(engine))
    expect(rerun!.steps.map(step)).toEqual(['addColumn', 'index artwork_jobs_user_id_idx', 'index artwork_jobs_user_id_created_at_idx', 'add key session.session_userId_fk', 'add key account.account_userId_fk', 'add key artwork_jobs.artwork_jobs_user_id_fk'])
  })
})
