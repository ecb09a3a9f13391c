/**
 * `compareSchema` with no database: a snapshot built from the expected schema as each engine
 * reads its own columns back, then changed one object at a time; what is asserted is codes.
 */
import { describe, expect, it } from 'vitest'
import { mysql, pglite, postgres, type Engine } from '../../src/engines/index.js'
import { CatalogSnapshot, type TableSnapshot } from '../../src/planner/catalog-snapshot.js'
import type { ColumnInfo } from '../../src/model/catalog-info.js'
import { compareSchema, type Comparison, type ExpectedSchema } from '../../src/planner/schema-diff.js'
import { offlineDb } from '../../src/planner/offline-db.js'
import { EXPECTED_SCHEMA } from '../../src/verify/expected-schema.js'

/** The catalog a database migrated by this version has, as `engine` reads it back. */
function migratedSnapshot(engine: Engine, expected: ExpectedSchema = EXPECTED_SCHEMA): CatalogSnapshot {
  let snapshot = CatalogSnapshot.fresh(engine)
  const columnOf = (table: string, name: string): ColumnInfo => {
    const column = expected.tables.find((t) => t.name === table)!.columns.find((c) => c.name === name)!
    if (typeof column.kind === 'string') return engine.catalogColumn(name, column.kind, column.nullable)
    return { ...columnOf(column.kind.sameAs.table, column.kind.sameAs.column), name, nullable: column.nullable }
  }
  for (const table of expected.tables) {
    snapshot = snapshot.with({
      name: table.name,
      columns: table.columns.map((c) => columnOf(table.name, c.name)),
      indexes: expected.indexes
        .filter((index) => index.table === table.name)
        .map((index) => ({ name: index.name, columns: index.columns, unique: index.unique ?? false, primary: false, valid: true, partial: false })),
      foreignKeys: expected.foreignKeys
        .filter((fk) => fk.table === table.name)
        .map((fk) => ({ name: fk.name, columns: [fk.column], referencedTable: fk.referencedTable, referencedColumns: [fk.referencedColumn], onDelete: 'CASCADE', validated: true })),
      hasRows: false,
      storageEngine: null,
      planned: false,
    })
  }
  return snapshot
}

function codes(engine: Engine, snapshot: CatalogSnapshot, pending = false): string[] {
  const comparisons: Comparison[] = compareSchema(snapshot, EXPECTED_SCHEMA, { db: offlineDb(engine), pending })
  return comparisons.flatMap((c) => c.findings.map((f) => `${f.severity} ${f.code} ${c.subject}`))
}

function change(snapshot: CatalogSnapshot, table: string, edit: (table: TableSnapshot) => Partial<TableSnapshot>): CatalogSnapshot {
  const live = snapshot.table(table)!
  return snapshot.with({ ...live, ...edit(live) })
}

describe.each([postgres, mysql, pglite])('compareSchema on $name', (engine) => {
  it('finds nothing in the schema the migrations make', () => {
    expect(codes(engine, migratedSnapshot(engine))).toEqual([])
  })

  it('names a missing table, and only the table (its columns, keys and indexes are not compared)', () => {
    const tables = EXPECTED_SCHEMA.tables.filter((t) => t.name !== 'verification')
    expect(codes(engine, migratedSnapshot(engine, { ...EXPECTED_SCHEMA, tables }))).toEqual(['fail table-missing verification'])
  })

  it('names a missing column, a retyped one and a nullable one', () => {
    const snapshot = change(migratedSnapshot(engine), 'user', (user) => ({
      columns: user.columns
        .filter((c) => c.name !== 'image')
        .map((c) => (c.name === 'name' ? { ...c, type: 'integer' } : c.name === 'email' ? { ...c, nullable: true } : c)),
    }))
    expect(codes(engine, snapshot)).toEqual([
      'fail column-type-differs user.name',
      'warn column-nullable user.email',
      'fail column-missing user.image',
    ])
  })

  it("holds a user_id to exactly user.id's type", () => {
    const snapshot = change(migratedSnapshot(engine), 'artwork_jobs', (jobs) => ({
      columns: jobs.columns.map((c) => (c.name === 'user_id' ? { ...c, type: 'varchar(20)' } : c)),
    }))
    expect(codes(engine, snapshot)).toEqual(['fail column-type-differs artwork_jobs.user_id'])
  })

  it('names a missing, a non-cascading and an unvalidated foreign key', () => {
    let snapshot = change(migratedSnapshot(engine), 'session', () => ({ foreignKeys: [] }))
    snapshot = change(snapshot, 'account', (account) => ({ foreignKeys: account.foreignKeys.map((fk) => ({ ...fk, onDelete: 'RESTRICT' })) }))
    snapshot = change(snapshot, 'artwork_jobs', (jobs) => ({ foreignKeys: jobs.foreignKeys.map((fk) => ({ ...fk, validated: false })) }))
    expect(codes(engine, snapshot)).toEqual([
      'fail foreign-key-missing session.userId → user.id',
      'fail foreign-key-on-delete account.userId → user.id',
      'fail foreign-key-not-valid artwork_jobs.user_id → user.id',
    ])
  })

  it('accepts an equivalent index under another name; names a missing, an invalid and a different one', () => {
    let snapshot = change(migratedSnapshot(engine), 'verification', (v) => ({ indexes: v.indexes.map((i) => ({ ...i, name: 'verification_lookup' })) }))
    expect(codes(engine, snapshot)).toEqual([])
    snapshot = change(snapshot, 'verification', () => ({ indexes: [] }))
    snapshot = change(snapshot, 'session', (s) => ({ indexes: s.indexes.map((i) => (i.name === 'session_token_uidx' ? { ...i, valid: false } : i)) }))
    snapshot = change(snapshot, 'user', (u) => ({ indexes: u.indexes.map((i) => (i.name === 'user_email_uidx' ? { ...i, unique: false } : i)) }))
    expect(codes(engine, snapshot).sort()).toEqual(
      [
        'fail index-missing verification_identifier_idx on verification (identifier)',
        'fail index-invalid session_token_uidx on session (token) unique',
        'fail index-differs user_email_uidx on user (email) unique',
      ].sort(),
    )
  })

  it("reports a legacy artwork_jobs' own columns as warnings", () => {
    const snapshot = change(migratedSnapshot(engine), 'artwork_jobs', (jobs) => ({
      columns: jobs.columns.filter((c) => c.name !== 'created_at').map((c) => (c.name === 'status' ? { ...c, type: 'integer' } : c)),
      // 0003 skips the index over a created_at the table lacks.
      indexes: jobs.indexes.filter((i) => !i.columns.includes('created_at')),
    }))
    expect(codes(engine, snapshot)).toEqual([
      'warn column-type-differs artwork_jobs.status',
      'warn column-missing artwork_jobs.created_at',
      'warn index-column-missing artwork_jobs_user_id_created_at_idx on artwork_jobs (user_id, created_at)',
    ])
  })
})
