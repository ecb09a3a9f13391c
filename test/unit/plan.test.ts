/** The planner with no database behind it: a fresh database's plan, and the index and key decisions. */
import { describe, expect, it } from 'vitest'
import { mysql, pglite, postgres, type Engine } from '../../src/engines/index.js'
import { mariadb } from '../../src/engines/mysql/index.js'
import { MIGRATION_NAMES, plannable } from '../../src/migrations/index.js'
import { CatalogSnapshot } from '../../src/planner/catalog-snapshot.js'
import type { ForeignKeyInfo, IndexInfo } from '../../src/model/catalog-info.js'
import { decideIndex, findEquivalentForeignKey, servesAs } from '../../src/planner/existing-objects.js'
import { offlineDb } from '../../src/planner/offline-db.js'
import { planMigrations } from '../../src/planner/plan.js'
import { type MigrationPlan, type PlannedStep } from '../../src/planner/steps.js'

const planFresh = (engine: Engine): Promise<MigrationPlan[]> =>
  planMigrations(CatalogSnapshot.fresh(engine), plannable(MIGRATION_NAMES), offlineDb(engine))

/** What a step is about, in one string: `createIndex user.user_email_uidx`. */
function describeStep(step: PlannedStep): string {
  const { action } = step
  switch (action.kind) {
    case 'createTable':
      return `createTable ${action.table.name}`
    case 'addColumn':
      return `addColumn ${action.column.table}.${action.column.column}`
    case 'changeColumnType':
      return `changeColumnType ${action.change.table}.${action.change.column}`
    case 'createIndex':
      return `createIndex ${action.index.table}.${action.index.name}${action.rebuild ? ' (rebuild)' : ''}`
    case 'addForeignKey':
    case 'validateForeignKey':
      return `${action.kind} ${action.foreignKey.table}.${action.foreignKey.name}`
    case 'renameTable':
      return `renameTable ${action.rename.from} → ${action.rename.to}`
    case 'dropView':
      return `dropView ${action.view}`
    case 'dropForeignKey':
      return `dropForeignKey ${action.table}.${action.name}`
    case 'retypeColumn':
      return `retypeColumn ${action.retype.table}.${action.retype.column}`
    case 'remakeColumn':
      return `remakeColumn ${action.column.table}.${action.column.column}`
  }
}

const FRESH_STEPS = {
  '0001_better_auth': [
    'createTable user',
    'createTable session',
    'createTable account',
    'createTable verification',
    'createIndex user.user_email_uidx',
    'createIndex session.session_token_uidx',
    'createIndex session.session_userId_idx',
    'createIndex account.account_userId_idx',
    'addForeignKey session.session_userId_fk',
    'addForeignKey account.account_userId_fk',
  ],
  // upload_history does not exist in a fresh database: nothing is planned for it.
  '0002_artorizer_user_link': [
    'createTable artwork_jobs',
    'addColumn artwork_jobs.user_id',
    'createIndex artwork_jobs.artwork_jobs_user_id_idx',
    'addForeignKey artwork_jobs.artwork_jobs_user_id_fk',
  ],
  '0003_indexes': [
    'createIndex account.account_providerId_accountId_idx',
    'createIndex verification.verification_identifier_idx',
    'createIndex artwork_jobs.artwork_jobs_user_id_created_at_idx',
  ],
}

describe.each([postgres, mysql, pglite])('a fresh database on $name, planned offline', (engine) => {
  it('has no findings and the steps of every migration, in order', async () => {
    const plans = await planFresh(engine)
    expect(plans.map((p) => p.migration)).toEqual(MIGRATION_NAMES)
    expect(plans.flatMap((p) => p.findings)).toEqual([])
    // 0004 changes job_id's collation on MySQL/MariaDB; PostgreSQL's text already compares bytes.
    const exact = engine.sqlDialect === 'mysql' ? ['changeColumnType artwork_jobs.job_id'] : []
    expect(Object.fromEntries(plans.map((p) => [p.migration, p.steps.map(describeStep)]))).toEqual({ ...FRESH_STEPS, '0004_exact_job_ids': exact })
  })

  it('gives every step statements, and names each step by its migration', async () => {
    for (const plan of await planFresh(engine)) {
      for (const step of plan.steps) {
        expect(step.migration).toBe(plan.migration)
        expect(step.statements.length, describeStep(step)).toBeGreaterThan(0)
        for (const statement of step.statements) expect(statement.trim(), describeStep(step)).not.toBe('')
      }
    }
  })

  it('plans the same twice (planning changes nothing it is given)', async () => {
    const strip = (plans: MigrationPlan[]) => plans.map((p) => ({ migration: p.migration, statements: p.steps.map((s) => s.statements) }))
    expect(strip(await planFresh(engine))).toEqual(strip(await planFresh(engine)))
  })
})

const statementsOf = async (engine: Engine, migration: string, step: string): Promise<readonly string[]> => {
  const plan = (await planFresh(engine)).find((p) => p.migration === migration)!
  const found = plan.steps.find((s) => describeStep(s) === step)
  if (!found) throw new Error(`${engine.name}: ${migration} plans no "${step}"`)
  return found.statements
}

describe("0004: job_id compares byte for byte where the module made artwork_jobs", () => {
  const exactPlan = async (engine: Engine, created: boolean | undefined, collation = 'utf8mb4_unicode_ci') => {
    const jobId = { ...engine.catalogColumn('job_id', 'indexedString', false), ...(engine.sqlDialect === 'mysql' ? { collation } : {}) }
    const snapshot = CatalogSnapshot.fresh(engine).with({
      name: 'artwork_jobs',
      columns: [engine.catalogColumn('id', 'bigint', false), jobId],
      indexes: [],
      foreignKeys: [],
      hasRows: true,
      storageEngine: null,
      planned: false,
      ...(created === undefined ? {} : { created }),
    })
    const [plan] = await planMigrations(snapshot, plannable(['0004_exact_job_ids']), offlineDb(engine))
    return plan!
  }

  it.each([
    [mysql, 'utf8mb4_0900_bin'],
    [mariadb, 'utf8mb4_nopad_bin'],
  ])("%# a module-created table's job_id becomes varchar(255) in the server's padless binary collation", async (engine, collation) => {
    const plan = await exactPlan(engine, true)
    expect(plan.findings).toEqual([])
    expect(plan.steps.map(describeStep)).toEqual(['changeColumnType artwork_jobs.job_id'])
    expect(plan.steps[0]!.statements.join('\n')).toContain(`modify column \`job_id\` varchar(255) character set utf8mb4 collate ${collation} not null`)
  })

  it('an adopted (legacy) table keeps its job_id; one already byte-exact, and PostgreSQL, need nothing', async () => {
    expect((await exactPlan(mysql, undefined)).steps).toEqual([])
    expect((await exactPlan(mysql, false)).steps).toEqual([])
    expect((await exactPlan(mariadb, true, 'utf8mb4_nopad_bin')).steps).toEqual([])
    expect((await exactPlan(postgres, true)).steps).toEqual([])
    expect((await exactPlan(pglite, true)).steps).toEqual([])
  })

  it('refuses, before any change, a column that could not keep every value (wider than varchar(255))', async () => {
    const engine = mysql
    const snapshot = CatalogSnapshot.fresh(engine).with({
      name: 'artwork_jobs',
      columns: [{ ...engine.catalogColumn('job_id', 'indexedString', false), type: 'varchar(300)' }],
      indexes: [],
      foreignKeys: [],
      hasRows: true,
      storageEngine: null,
      planned: false,
      created: true,
    })
    const [plan] = await planMigrations(snapshot, plannable(['0004_exact_job_ids']), offlineDb(engine))
    expect(plan!.steps).toEqual([])
    expect(plan!.findings.map((f) => f.code)).toEqual(['column-kind-change-lossy'])
  })
})

describe('engine specifics of the fresh plan', () => {
  it("mysql: 0002's user_id copies user.id's exact type, character set and collation", async () => {
    const statements = await statementsOf(mysql, '0002_artorizer_user_link', 'addColumn artwork_jobs.user_id')
    expect(statements.join('\n')).toContain('add column `user_id` varchar(255) character set utf8mb4 collate utf8mb4_bin null')
    const user = await statementsOf(mysql, '0001_better_auth', 'createTable user')
    expect(user.join('\n')).toContain('`id` varchar(255) character set utf8mb4 collate utf8mb4_bin not null primary key')
  })

  it("postgres: 0002's user_id is text like user.id", async () => {
    const statements = await statementsOf(postgres, '0002_artorizer_user_link', 'addColumn artwork_jobs.user_id')
    expect(statements.join('\n')).toContain('add column "user_id" text null')
  })

  it('postgres plans online: concurrent index builds, short lock waits, keys added NOT VALID then validated', async () => {
    const index = (await statementsOf(postgres, '0003_indexes', 'createIndex account.account_providerId_accountId_idx')).join('\n')
    expect(index).toMatch(/create index concurrently/)
    const fk = (await statementsOf(postgres, '0001_better_auth', 'addForeignKey session.session_userId_fk')).join('\n')
    expect(fk).toMatch(/lock_timeout/)
    expect(fk).toMatch(/not valid/)
    expect(fk).toMatch(/validate constraint "session_userId_fk"/)
  })

  it('postgres builds the indexes of a table created by the same migration plainly: it is empty and unseen', async () => {
    const own = (await statementsOf(postgres, '0001_better_auth', 'createIndex user.user_email_uidx')).join('\n')
    expect(own).toBe('create unique index if not exists "user_email_uidx" on "user" ("email")')
    const linked = (await statementsOf(postgres, '0002_artorizer_user_link', 'createIndex artwork_jobs.artwork_jobs_user_id_idx')).join('\n')
    expect(linked).toBe('create index if not exists "artwork_jobs_user_id_idx" on "artwork_jobs" ("user_id")')
    // 0003's tables were made by earlier migrations: rows may exist by the time it runs.
    const later = (await statementsOf(postgres, '0003_indexes', 'createIndex verification.verification_identifier_idx')).join('\n')
    expect(later).toMatch(/create index concurrently/)
  })

  it('pglite plans plain: no concurrently, no lock_timeout, no NOT VALID', async () => {
    const all = (await planFresh(pglite)).flatMap((p) => p.steps.flatMap((s) => s.statements)).join('\n')
    expect(all).not.toMatch(/concurrently/i)
    expect(all).not.toMatch(/lock_timeout/i)
    expect(all).not.toMatch(/not valid/i)
    expect(all).toContain('create unique index if not exists "user_email_uidx" on "user" ("email")')
  })

  it('mysql builds indexes in place without locks and creates InnoDB tables in utf8mb4', async () => {
    const index = (await statementsOf(mysql, '0001_better_auth', 'createIndex session.session_token_uidx')).join('\n')
    expect(index).toContain('algorithm=inplace, lock=none')
    const table = (await statementsOf(mysql, '0002_artorizer_user_link', 'createTable artwork_jobs')).join('\n')
    expect(table).toContain('engine=InnoDB default charset=utf8mb4')
    expect(table).toContain('constraint `artwork_jobs_job_id_uidx` unique (`job_id`)')
  })
})

const index = (name: string, columns: string[], extra: Partial<IndexInfo> = {}): IndexInfo => ({
  name,
  columns,
  unique: false,
  primary: false,
  valid: true,
  partial: false,
  ...extra,
})

describe('servesAs', () => {
  it('an index on the same columns in the same order serves', () => {
    expect(servesAs(index('other_name', ['userId']), { columns: ['userId'] })).toBe(true)
    expect(servesAs(index('other_name', ['a', 'b']), { columns: ['a', 'b'] })).toBe(true)
  })

  it('other columns, another order or a prefix do not', () => {
    expect(servesAs(index('i', ['b', 'a']), { columns: ['a', 'b'] })).toBe(false)
    expect(servesAs(index('i', ['a']), { columns: ['a', 'b'] })).toBe(false)
    expect(servesAs(index('i', ['a', 'b']), { columns: ['a'] })).toBe(false)
  })

  it('a partial (or expression, or prefix) index does not serve', () => {
    expect(servesAs(index('i', ['email'], { partial: true }), { columns: ['email'] })).toBe(false)
    expect(servesAs(index('i', ['email'], { partial: true, unique: true }), { columns: ['email'], unique: true })).toBe(false)
  })

  it('an invalid index does not serve', () => {
    expect(servesAs(index('i', ['email'], { valid: false }), { columns: ['email'] })).toBe(false)
  })

  it('a unique index serves a plain spec, a plain index does not serve a unique one', () => {
    expect(servesAs(index('i', ['email'], { unique: true }), { columns: ['email'] })).toBe(true)
    expect(servesAs(index('i', ['email'], { unique: true }), { columns: ['email'], unique: false })).toBe(true)
    expect(servesAs(index('i', ['email']), { columns: ['email'], unique: true })).toBe(false)
  })

  it("a primary key serves a unique spec on its columns", () => {
    expect(servesAs(index('PRIMARY', ['id'], { unique: true, primary: true }), { columns: ['id'], unique: true })).toBe(true)
  })
})

describe('decideIndex', () => {
  const spec = { table: 'user', name: 'user_email_uidx', columns: ['email'], unique: true }

  it('present: the named index is there and valid', () => {
    expect(decideIndex([index('user_email_uidx', ['email'], { unique: true })], spec)).toBe('present')
  })

  // Current behaviour: the name alone decides, whatever the named index covers. A plain
  // "user_email_uidx" would leave user.email without its unique index (see the report).
  it('present even when the named index differs in shape (the name decides)', () => {
    expect(decideIndex([index('user_email_uidx', ['name'])], spec)).toBe('present')
  })

  it('adopted: another index does its job', () => {
    expect(decideIndex([index('user_email_key', ['email'], { unique: true })], spec)).toBe('adopted')
  })

  it('rebuild: the named index is INVALID (an interrupted concurrent build)', () => {
    expect(decideIndex([index('user_email_uidx', ['email'], { unique: true, valid: false })], spec)).toBe('rebuild')
    // ... even when another index could serve: the invalid one must go.
    expect(decideIndex([index('user_email_uidx', ['email'], { unique: true, valid: false }), index('user_email_key', ['email'], { unique: true })], spec)).toBe('rebuild')
  })

  it('create: nothing there, or nothing that serves', () => {
    expect(decideIndex([], spec)).toBe('create')
    expect(decideIndex([index('user_email_idx', ['email'])], spec)).toBe('create')
    expect(decideIndex([index('user_email_part', ['email'], { unique: true, partial: true })], spec)).toBe('create')
  })
})

describe('findEquivalentForeignKey', () => {
  const spec = { table: 'session', name: 'session_userId_fk', column: 'userId', referencedTable: 'user', referencedColumn: 'id' }
  const fk = (name: string, extra: Partial<ForeignKeyInfo> = {}): ForeignKeyInfo => ({
    name,
    columns: ['userId'],
    referencedTable: 'user',
    referencedColumns: ['id'],
    onDelete: 'CASCADE',
    validated: true,
    ...extra,
  })

  // Current behaviour, like decideIndex: a key of the right name counts, whatever it links.
  it('finds the key by name first', () => {
    const named = fk('session_userId_fk', { columns: ['other'] })
    expect(findEquivalentForeignKey([fk('session_ibfk_1'), named], spec)).toBe(named)
  })

  it('finds a key of another name over the same column to the same target', () => {
    const other = fk('session_ibfk_1', { onDelete: 'NO ACTION' })
    expect(findEquivalentForeignKey([other], spec)).toBe(other)
  })

  it('ignores keys over other columns or to other targets', () => {
    expect(findEquivalentForeignKey([fk('a', { columns: ['ownerId'] }), fk('b', { referencedTable: 'account' }), fk('c', { referencedColumns: ['email'] })], spec)).toBeUndefined()
  })
})
