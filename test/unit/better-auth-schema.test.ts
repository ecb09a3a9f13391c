/**
 * 0001's frozen tables against the installed Better Auth's own core schema (`getAuthTables`).
 *
 * Both are projected onto the same plain shape (per table, per column: nullable, value family,
 * primary key, unique, indexed, referenced column and delete rule) and compared; a difference is
 * one line naming the table and column, so that a Better Auth upgrade that changes its core
 * tables fails here with what changed, e.g. "user.phoneNumber: in Better Auth, not in 0001".
 */
import { getAuthTables } from 'better-auth/db'
import { KIND_FAMILIES } from '../../src/model/type-rules.js'
import type { BetterAuthOptions } from 'better-auth'
import { describe, expect, it } from 'vitest'
import { schema as betterAuthMigration } from '../../src/migrations/0001_better_auth.js'
import { MIGRATION_NAMES, schemasOf } from '../../src/migrations/index.js'
import { foldSchemas, type ColumnKind, type MigrationSchema } from '../../src/model/migration-schema.js'

type Family = 'string' | 'number' | 'boolean' | 'timestamp' | 'other'

interface ColumnShape {
  nullable: boolean
  family: Family
  primaryKey: boolean
  /** A unique index (or constraint) on exactly this column. */
  unique: boolean
  /** A plain index on exactly this column. */
  indexed: boolean
  /** `table.column on delete rule`, or null. */
  references: string | null
}

/** Table name → column name → shape, columns in order. */
type Shape = Record<string, Record<string, ColumnShape>>

const FAMILY_OF_KIND: Readonly<Record<ColumnKind, Family>> = KIND_FAMILIES

const FAMILY_OF_BETTER_AUTH_TYPE: Record<string, Family> = { string: 'string', number: 'number', boolean: 'boolean', date: 'timestamp' }

/** Better Auth's core schema for `options`, projected. Its `id` is implicit: a required string primary key. */
function projectBetterAuth(options: BetterAuthOptions = {}): Shape {
  const shape: Shape = {}
  for (const [key, table] of Object.entries(getAuthTables(options))) {
    const columns: Record<string, ColumnShape> = {
      id: { nullable: false, family: 'string', primaryKey: true, unique: false, indexed: false, references: null },
    }
    for (const [fieldKey, field] of Object.entries(table.fields)) {
      const type = typeof field.type === 'string' ? field.type : 'string' // an enum (list of literals) is a string
      columns[field.fieldName ?? fieldKey] = {
        nullable: field.required === false,
        family: FAMILY_OF_BETTER_AUTH_TYPE[type] ?? 'other',
        primaryKey: false,
        unique: field.unique === true,
        indexed: field.index === true && field.unique !== true,
        references: field.references ? `${field.references.model}.${field.references.field} on delete ${field.references.onDelete ?? '(unspecified)'}` : null,
      }
    }
    shape[table.modelName ?? key] = columns
  }
  return shape
}

/**
 * The tables of `tablesFrom` (0001), projected; indexes and foreign keys are taken from
 * `keysFrom` (by default every migration's, since 0003 adds the index Better Auth declares on
 * `verification.identifier`).
 */
function projectMigration(tablesFrom: MigrationSchema, keysFrom: readonly MigrationSchema[] = schemasOf(MIGRATION_NAMES)): Shape {
  const folded = foldSchemas(keysFrom)
  const indexes = [...folded.indexes, ...tablesFrom.indexes]
  const foreignKeys = [...folded.foreignKeys, ...tablesFrom.foreignKeys]
  const shape: Shape = {}
  for (const table of tablesFrom.tables) {
    const columns: Record<string, ColumnShape> = {}
    const singleColumn = (index: { table: string; columns: readonly string[] }, column: string) =>
      index.table === table.name && index.columns.length === 1 && index.columns[0] === column
    for (const column of table.columns) {
      const fk = foreignKeys.find((f) => f.table === table.name && f.column === column.name)
      const unique =
        indexes.some((i) => i.unique === true && singleColumn(i, column.name)) ||
        (table.uniques ?? []).some((u) => u.columns.length === 1 && u.columns[0] === column.name)
      columns[column.name] = {
        nullable: column.nullable,
        family: typeof column.type === 'string' ? FAMILY_OF_KIND[column.type] : 'other',
        primaryKey: column.primaryKey === true,
        unique: unique && column.primaryKey !== true,
        indexed: indexes.some((i) => i.unique !== true && singleColumn(i, column.name)),
        references: fk ? `${fk.references.table}.${fk.references.column} on delete ${fk.onDelete}` : null,
      }
    }
    shape[table.name] = columns
  }
  return shape
}

/** Every difference between Better Auth's shape and ours, one line each, naming table and column. */
function diffShapes(betterAuth: Shape, ours: Shape, oursName = '0001'): string[] {
  const differences: string[] = []
  for (const table of Object.keys(betterAuth)) if (!(table in ours)) differences.push(`${table}: table in Better Auth, not in ${oursName}`)
  for (const table of Object.keys(ours)) if (!(table in betterAuth)) differences.push(`${table}: table in ${oursName}, not in Better Auth`)
  for (const [table, theirColumns] of Object.entries(betterAuth)) {
    const ourColumns = ours[table]
    if (!ourColumns) continue
    for (const column of Object.keys(theirColumns)) if (!(column in ourColumns)) differences.push(`${table}.${column}: in Better Auth, not in ${oursName}`)
    for (const column of Object.keys(ourColumns)) if (!(column in theirColumns)) differences.push(`${table}.${column}: in ${oursName}, not in Better Auth`)
    for (const [column, theirs] of Object.entries(theirColumns)) {
      const our = ourColumns[column]
      if (!our) continue
      for (const property of Object.keys(theirs) as (keyof ColumnShape)[]) {
        if (theirs[property] !== our[property]) {
          differences.push(`${table}.${column}: ${property} is ${String(theirs[property])} in Better Auth, ${String(our[property])} in ${oursName}`)
        }
      }
    }
  }
  return differences
}

const clone = (shape: Shape): Shape => structuredClone(shape)

describe("0001 matches the installed Better Auth's core schema", () => {
  it('table by table, column by column', () => {
    expect(diffShapes(projectBetterAuth(), projectMigration(betterAuthMigration))).toEqual([])
  })

  it('in the same tables and column order', () => {
    const theirs = projectBetterAuth()
    const ours = projectMigration(betterAuthMigration)
    expect(Object.keys(ours)).toEqual(Object.keys(theirs))
    for (const table of Object.keys(theirs)) expect({ [table]: Object.keys(ours[table]!) }).toEqual({ [table]: Object.keys(theirs[table]!) })
  })

  it("checks the projection: Better Auth's unique, indexed and referencing columns are there", () => {
    const theirs = projectBetterAuth()
    expect(theirs.user!.email!.unique).toBe(true)
    expect(theirs.session!.token!.unique).toBe(true)
    expect(theirs.session!.userId).toMatchObject({ indexed: true, references: 'user.id on delete cascade', nullable: false })
    expect(theirs.account!.userId).toMatchObject({ indexed: true, references: 'user.id on delete cascade' })
    expect(theirs.user!.image).toMatchObject({ nullable: true, family: 'string' })
    expect(theirs.user!.emailVerified!.family).toBe('boolean')
    expect(theirs.session!.expiresAt!.family).toBe('timestamp')
  })
})

describe('the comparison names what differs', () => {
  const theirs = projectBetterAuth()
  const ours = projectMigration(betterAuthMigration)

  it('a field Better Auth has and 0001 lacks (an additional field)', () => {
    const withPhone = projectBetterAuth({ user: { additionalFields: { phoneNumber: { type: 'string', required: false } } } })
    expect(diffShapes(withPhone, ours)).toEqual(['user.phoneNumber: in Better Auth, not in 0001'])
  })

  it('a field removed from a copy of 0001', () => {
    const changed = clone(ours)
    delete changed.session!.token
    expect(diffShapes(theirs, changed)).toEqual(['session.token: in Better Auth, not in 0001'])
  })

  it('a field removed from a copy of Better Auth', () => {
    const changed = clone(theirs)
    delete changed.account!.scope
    expect(diffShapes(changed, ours)).toEqual(['account.scope: in 0001, not in Better Auth'])
  })

  it('a table Better Auth has and 0001 lacks (a plugin table)', () => {
    const changed = clone(theirs)
    changed.twoFactor = { id: theirs.user!.id! }
    expect(diffShapes(changed, ours)).toEqual(['twoFactor: table in Better Auth, not in 0001'])
  })

  it('required, unique, type family and delete rule', () => {
    const changed = clone(theirs)
    changed.user!.image!.nullable = false
    changed.user!.email!.unique = false
    changed.verification!.expiresAt!.family = 'string'
    changed.session!.userId!.references = 'user.id on delete set null'
    expect(diffShapes(changed, ours)).toEqual([
      'user.email: unique is false in Better Auth, true in 0001',
      'user.image: nullable is false in Better Auth, true in 0001',
      'session.userId: references is user.id on delete set null in Better Auth, user.id on delete cascade in 0001',
      'verification.expiresAt: family is string in Better Auth, timestamp in 0001',
    ])
  })

  it('an index Better Auth declares that 0001 alone does not make (0003 does)', () => {
    const withoutIndexes = projectMigration(betterAuthMigration, [])
    expect(diffShapes(theirs, withoutIndexes)).toEqual(['verification.identifier: indexed is true in Better Auth, false in 0001'])
  })
})
