/**
 * The Kysely `Database` types (src/model/database.ts) against the folded schema data.
 *
 * Type level: `FACTS` must state, for every table the module creates or links, exactly the
 * columns its interface has, whether each selects as nullable and its kind of value; `tsc`
 * (npm run typecheck) rejects a missing, extra or wrong entry there, naming it.
 * Run time: the same `FACTS` are compared with the fold of every migration, so that a column
 * added to a migration but not to the types (or the reverse) fails naming table and column.
 */
import type { Selectable } from 'kysely'
import { KIND_FAMILIES } from '../../src/model/type-rules.js'
import { describe, expect, it } from 'vitest'
import type { Database } from '../../src/model/database.js'
import { MIGRATION_NAMES, schemasOf } from '../../src/migrations/index.js'
import { foldSchemas, type ColumnKind, type ColumnModel, type FoldedSchema } from '../../src/model/migration-schema.js'

type Family = 'string' | 'number' | 'boolean' | 'timestamp' | 'other'

/** The kind of value a selected column's TypeScript type holds; a bigint key selects as `string | number`. */
type FamilyOf<V> = [NonNullable<V>] extends [boolean]
  ? 'boolean'
  : [NonNullable<V>] extends [Date]
    ? 'timestamp'
    : [NonNullable<V>] extends [string]
      ? 'string'
      : [NonNullable<V>] extends [string | number]
        ? 'number'
        : 'other'

interface ColumnFacts {
  readonly nullable: boolean
  readonly family: Family
}

/** The tables the migrations create or link; `artorizer_schema_objects` is bookkeeping, not schema data. */
type SchemaTable = 'user' | 'session' | 'account' | 'verification' | 'artwork_jobs' | 'upload_history'

/** What the types say about each column, exactly: every key, nothing else. */
type FactsOfTypes = {
  readonly [T in SchemaTable]: {
    readonly [K in keyof Selectable<Database[T]>]-?: {
      readonly nullable: null extends Selectable<Database[T]>[K] ? true : false
      readonly family: FamilyOf<Selectable<Database[T]>[K]>
    }
  }
}

const string = { nullable: false, family: 'string' } as const
const optionalString = { nullable: true, family: 'string' } as const
const timestamp = { nullable: false, family: 'timestamp' } as const
const optionalTimestamp = { nullable: true, family: 'timestamp' } as const

const FACTS = {
  user: {
    id: string,
    name: string,
    email: string,
    emailVerified: { nullable: false, family: 'boolean' },
    image: optionalString,
    createdAt: timestamp,
    updatedAt: timestamp,
  },
  session: {
    id: string,
    expiresAt: timestamp,
    token: string,
    createdAt: timestamp,
    updatedAt: timestamp,
    ipAddress: optionalString,
    userAgent: optionalString,
    userId: string,
  },
  account: {
    id: string,
    accountId: string,
    providerId: string,
    userId: string,
    accessToken: optionalString,
    refreshToken: optionalString,
    idToken: optionalString,
    accessTokenExpiresAt: optionalTimestamp,
    refreshTokenExpiresAt: optionalTimestamp,
    scope: optionalString,
    password: optionalString,
    createdAt: timestamp,
    updatedAt: timestamp,
  },
  verification: {
    id: string,
    identifier: string,
    value: string,
    expiresAt: timestamp,
    createdAt: timestamp,
    updatedAt: timestamp,
  },
  artwork_jobs: {
    id: { nullable: false, family: 'number' },
    user_id: optionalString,
    job_id: string,
    original_url: string,
    protected_url: optionalString,
    status: string,
    created_at: timestamp,
  },
  upload_history: {
    user_id: optionalString,
  },
} as const satisfies FactsOfTypes

type Facts = Readonly<Record<string, Readonly<Record<string, ColumnFacts>>>>

const FAMILY_OF_KIND: Readonly<Record<ColumnKind, Family>> = KIND_FAMILIES

/** The facts of the fold: a column that copies another's type has that column's family. */
function factsOfFold(fold: FoldedSchema): Facts {
  const byName = new Map(fold.tables.flatMap((t) => t.columns.map((c) => [`${t.name}.${c.name}`, c] as const)))
  const familyOf = (column: ColumnModel): Family => {
    if (typeof column.type === 'string') return FAMILY_OF_KIND[column.type]
    const source = byName.get(`${column.type.sameAs.table}.${column.type.sameAs.column}`)
    return source ? familyOf(source) : 'other'
  }
  return Object.fromEntries(
    fold.tables.map((t) => [t.name, Object.fromEntries(t.columns.map((c) => [c.name, { nullable: c.nullable, family: familyOf(c) }]))]),
  )
}

/** Every difference between the types' facts and the fold's, one line each, naming table and column. */
function diffFacts(types: Facts, fold: Facts): string[] {
  const differences: string[] = []
  for (const table of Object.keys(fold)) if (!(table in types)) differences.push(`${table}: table in the migrations, not in Database`)
  for (const table of Object.keys(types)) if (!(table in fold)) differences.push(`${table}: table in Database, not in the migrations`)
  for (const [table, typeColumns] of Object.entries(types)) {
    const foldColumns = fold[table]
    if (!foldColumns) continue
    for (const column of Object.keys(foldColumns)) if (!(column in typeColumns)) differences.push(`${table}.${column}: in the migrations, not in Database`)
    for (const [column, typed] of Object.entries(typeColumns)) {
      const folded = foldColumns[column]
      if (!folded) {
        differences.push(`${table}.${column}: in Database, not in the migrations`)
        continue
      }
      if (typed.nullable !== folded.nullable) differences.push(`${table}.${column}: ${typed.nullable ? 'nullable' : 'not nullable'} in Database, ${folded.nullable ? 'nullable' : 'not nullable'} in the migrations`)
      if (typed.family !== folded.family) differences.push(`${table}.${column}: ${typed.family} in Database, ${folded.family} in the migrations`)
    }
  }
  return differences
}

const foldFacts = factsOfFold(foldSchemas(schemasOf(MIGRATION_NAMES)))

describe('the Database types list exactly the columns of the folded schema', () => {
  it('table by table, column by column, with nullability and kind of value', () => {
    expect(diffFacts(FACTS, foldFacts)).toEqual([])
  })

  it('for every table a migration creates or links', () => {
    expect(Object.keys(foldFacts).sort()).toEqual(Object.keys(FACTS).sort())
  })
})

describe('the comparison names what differs', () => {
  const copy = (): Record<string, Record<string, ColumnFacts>> => structuredClone(FACTS) as never

  it('a column the types lack', () => {
    const types = copy()
    delete types.session!.ipAddress
    expect(diffFacts(types, foldFacts)).toEqual(['session.ipAddress: in the migrations, not in Database'])
  })

  it('a column the migrations lack, and a table', () => {
    const types = copy()
    types.user!.phoneNumber = optionalString
    types.twoFactor = { id: string }
    expect(diffFacts(types, foldFacts)).toEqual(['twoFactor: table in Database, not in the migrations', 'user.phoneNumber: in Database, not in the migrations'])
  })

  it('nullability and kind of value', () => {
    const types = copy()
    types.artwork_jobs!.user_id = string
    types.verification!.expiresAt = optionalString
    expect(diffFacts(types, foldFacts)).toEqual([
      'verification.expiresAt: nullable in Database, not nullable in the migrations',
      'verification.expiresAt: string in Database, timestamp in the migrations',
      'artwork_jobs.user_id: not nullable in Database, nullable in the migrations',
    ])
  })
})

// Type-level checks of the checker itself: a wrong entry does not satisfy FactsOfTypes.
// @ts-expect-error image is `string | null`: it cannot be stated as not nullable
const wrongNullability: FactsOfTypes['user']['image'] = { nullable: false, family: 'string' }
// @ts-expect-error emailVerified is a boolean, not a string
const wrongFamily: FactsOfTypes['user']['emailVerified'] = { nullable: false, family: 'string' }
// @ts-expect-error every column of SessionTable must be listed (ipAddress, userAgent are missing)
const missingColumns: FactsOfTypes['session'] = { id: string, expiresAt: timestamp, token: string, createdAt: timestamp, updatedAt: timestamp, userId: string }
void [wrongNullability, wrongFamily, missingColumns]
