/**
 * Better Auth's core tables `user`, `session`, `account` and `verification`, as Better Auth 1.7
 * expects them by default (singular names, camelCase columns), with their keys: primary keys,
 * unique `user.email` and `session.token`, and named `ON DELETE CASCADE` foreign keys from
 * `session.userId` and `account.userId` with Better Auth's own index names on them.
 *
 * Tables that an earlier `better-auth migrate` made are adopted, not recreated: what they lack
 * (optional columns, keys, indexes) is added and no row changes. A table the module cannot
 * adopt safely stops the migration before any change, with every difference listed.
 */
import { sql, type Kysely } from 'kysely'
import { SchemaConflictError } from '../errors.js'
import {
  canReference,
  canWidenLosslessly,
  columnTypes,
  describeColumnType,
  plannedKeyColumn,
  valueFamily,
  type ColumnTypes,
  type ValueFamily,
} from '../schema/column-types.js'
import { sqlDialectOfDb } from '../schema/dialect.js'
import {
  findDuplicate,
  findOrphan,
  listColumns,
  listForeignKeys,
  listIndexes,
  listReferencingForeignKeys,
  tableExists,
  tableHasRows,
  type ColumnInfo,
} from '../schema/introspect.js'
import {
  changeColumnType,
  ensureForeignKey,
  ensureIndex,
  ensureNullableColumn,
  ensureTable,
  findEquivalentForeignKey,
  servesAs,
  type IndexSpec,
  undoCreations,
} from '../schema/online-ddl.js'
import type { SqlDialect } from '../db/url.js'

const MIGRATION = '0001_better_auth'

type TypeName = keyof Pick<ColumnTypes, 'key' | 'indexedString' | 'text' | 'boolean' | 'timestamp'>

interface ColumnDef {
  readonly name: string
  readonly type: TypeName
  readonly nullable?: boolean
  /** Filled in by the database when an insert leaves it out. */
  readonly defaultValue?: 'now' | false
  /**
   * Key columns only: the fewest characters an adopted column must hold. Verification ids are
   * longer than other ids (43 characters for magic links and email OTPs), so
   * there it is the target width.
   */
  readonly minLength?: number
}

/** Better Auth's generated ids are 32 characters (its own MySQL type is `varchar(36)`). */
const KEY_MIN_LENGTH = 32

/** The target columns, in Better Auth's order. The first column of each table is its primary key. */
const TABLES: Record<'user' | 'session' | 'account' | 'verification', readonly ColumnDef[]> = {
  user: [
    { name: 'id', type: 'key' },
    { name: 'name', type: 'indexedString' },
    { name: 'email', type: 'indexedString' },
    { name: 'emailVerified', type: 'boolean', defaultValue: false },
    { name: 'image', type: 'text', nullable: true },
    { name: 'createdAt', type: 'timestamp', defaultValue: 'now' },
    { name: 'updatedAt', type: 'timestamp', defaultValue: 'now' },
  ],
  session: [
    { name: 'id', type: 'key' },
    { name: 'expiresAt', type: 'timestamp' },
    { name: 'token', type: 'key' },
    { name: 'createdAt', type: 'timestamp', defaultValue: 'now' },
    { name: 'updatedAt', type: 'timestamp', defaultValue: 'now' },
    { name: 'ipAddress', type: 'text', nullable: true },
    { name: 'userAgent', type: 'text', nullable: true },
    { name: 'userId', type: 'key' },
  ],
  account: [
    { name: 'id', type: 'key' },
    { name: 'accountId', type: 'indexedString' },
    { name: 'providerId', type: 'indexedString' },
    { name: 'userId', type: 'key' },
    { name: 'accessToken', type: 'text', nullable: true },
    { name: 'refreshToken', type: 'text', nullable: true },
    { name: 'idToken', type: 'text', nullable: true },
    { name: 'accessTokenExpiresAt', type: 'timestamp', nullable: true },
    { name: 'refreshTokenExpiresAt', type: 'timestamp', nullable: true },
    { name: 'scope', type: 'text', nullable: true },
    { name: 'password', type: 'text', nullable: true },
    { name: 'createdAt', type: 'timestamp', defaultValue: 'now' },
    { name: 'updatedAt', type: 'timestamp', defaultValue: 'now' },
  ],
  verification: [
    { name: 'id', type: 'key', minLength: 255 },
    { name: 'identifier', type: 'indexedString' },
    { name: 'value', type: 'text' },
    { name: 'expiresAt', type: 'timestamp' },
    { name: 'createdAt', type: 'timestamp', defaultValue: 'now' },
    { name: 'updatedAt', type: 'timestamp', defaultValue: 'now' },
  ],
}

const INDEXES: readonly IndexSpec[] = [
  { table: 'user', name: 'user_email_uidx', columns: ['email'], unique: true },
  { table: 'session', name: 'session_token_uidx', columns: ['token'], unique: true },
  { table: 'session', name: 'session_userId_idx', columns: ['userId'] },
  { table: 'account', name: 'account_userId_idx', columns: ['userId'] },
] as const

const FOREIGN_KEYS = [
  { table: 'session', name: 'session_userId_fk', column: 'userId', referencedTable: 'user', referencedColumn: 'id' },
  { table: 'account', name: 'account_userId_fk', column: 'userId', referencedTable: 'user', referencedColumn: 'id' },
] as const

export async function up(db: Kysely<any>): Promise<void> {
  const dialect = sqlDialectOfDb(db)
  const types = columnTypes(dialect)
  const plan = await planAdoption(db, dialect)
  if (plan.problems.length > 0) throw new SchemaConflictError(plan.problems)

  for (const [table, columns] of Object.entries(TABLES)) {
    await ensureTable(db, MIGRATION, table, (db) => {
      let builder = db.schema.createTable(table).ifNotExists()
      for (const [i, def] of columns.entries()) {
        builder = builder.addColumn(def.name, types[def.type], (col) => {
          if (i === 0) col = col.primaryKey()
          if (!def.nullable) col = col.notNull()
          if (def.defaultValue === 'now') col = col.defaultTo(types.now)
          if (def.defaultValue === false) col = col.defaultTo(sql.lit(false))
          return col
        })
      }
      return types.tableOptions(builder)
    })
  }

  for (const { table, def } of plan.toAdd) {
    await ensureNullableColumn(db, MIGRATION, { table, column: def.name, type: types[def.type] })
  }
  for (const { table, def } of plan.toWiden) {
    await changeColumnType(db, { table, column: def.name, type: types[def.type], nullable: def.nullable === true })
  }
  for (const index of INDEXES) await ensureIndex(db, MIGRATION, index)
  for (const foreignKey of FOREIGN_KEYS) await ensureForeignKey(db, MIGRATION, foreignKey)
}

/** Removes what `up` created; adopted tables and widened columns stay as they are. */
export async function down(db: Kysely<any>): Promise<void> {
  await undoCreations(db, MIGRATION)
}

/**
 * Every reason the existing Better Auth tables cannot be adopted; empty when they can (or do
 * not exist). Reads only: `migrateToLatest` runs it before the first change of a run.
 */
export async function check(db: Kysely<any>): Promise<string[]> {
  return (await planAdoption(db, sqlDialectOfDb(db))).problems
}

interface AdoptionPlan {
  /** Why the tables cannot be adopted; nothing may change while this is not empty. */
  readonly problems: string[]
  /** Optional columns an older Better Auth did not have. */
  readonly toAdd: { table: string; def: ColumnDef }[]
  /** Key columns too narrow for the ids Better Auth writes, safe to widen. */
  readonly toWiden: { table: string; def: ColumnDef }[]
}

/** The value family each target type holds. */
const FAMILY: Record<TypeName, ValueFamily> = {
  key: 'string',
  indexedString: 'string',
  text: 'string',
  boolean: 'boolean',
  timestamp: 'timestamp',
}

/**
 * Compares every Better Auth table that already exists with the target, before anything
 * changes. Accepted as they are: Better Auth's own types (`varchar(36)` ids, `timestamp(3)`,
 * `text` strings), other names for its keys (`user_email_key`, `account_ibfk_1`), and columns
 * that are nullable where the target is not. Fixed: missing optional columns, missing indexes
 * and foreign keys, key columns too narrow (widened when no foreign key involves them). Refused,
 * with what to do: anything else that Better Auth could not work with.
 */
async function planAdoption(db: Kysely<any>, dialect: SqlDialect): Promise<AdoptionPlan> {
  const plan: AdoptionPlan = { problems: [], toAdd: [], toWiden: [] }
  const problems = plan.problems
  const columnsOf = new Map<string, Map<string, ColumnInfo>>()
  for (const table of Object.keys(TABLES)) {
    if (await tableExists(db, table)) columnsOf.set(table, new Map((await listColumns(db, table)).map((c) => [c.name, c])))
  }

  for (const [table, defs] of Object.entries(TABLES)) {
    const existing = columnsOf.get(table)
    if (!existing) continue
    const hasRows = await tableHasRows(db, table)
    for (const def of defs) {
      const column = existing.get(def.name)
      if (!column) {
        if (def.nullable) plan.toAdd.push({ table, def })
        else if (hasRows) problems.push(`"${table}" has rows but no required column "${def.name}": add it and fill it, or rename the table`)
        else problems.push(`"${table}" has no required column "${def.name}": the table is empty, so drop it and run again`)
        continue
      }
      const expected = FAMILY[def.type]
      if (valueFamily(column) !== expected) {
        problems.push(
          def.type === 'key'
            ? `"${table}"."${def.name}" is ${column.type}, but Better Auth writes string ids: rename the table, or migrate its ids to strings`
            : `"${table}"."${def.name}" is ${column.type}, but Better Auth stores a ${expected} there: change the column's type, or rename the table`,
        )
        continue
      }
      if (def.nullable && !column.nullable) {
        problems.push(`"${table}"."${def.name}" is NOT NULL, but Better Auth leaves it empty: make the column nullable`)
      }
      if (def.type === 'key') {
        const length = /\((\d+)\)/.exec(column.type)
        const minLength = def.minLength ?? KEY_MIN_LENGTH
        if (length && Number(length[1]) < minLength) {
          const bound = await boundByForeignKey(db, table, def.name)
          const target = dialect === 'mysql' ? plannedKeyColumn(dialect, def.name) : { ...column, type: 'text', baseType: 'text' }
          if (!bound && canWidenLosslessly(column, target)) plan.toWiden.push({ table, def })
          else {
            problems.push(
              `"${table}"."${def.name}" is ${describeColumnType(column)}, narrower than the ${minLength} characters Better Auth's ids there need` +
                (bound ? `, and ${bound}` : '') +
                `: widen it to ${dialect === 'mysql' ? 'varchar(255)' : 'text'} yourself`,
            )
          }
        }
      }
    }
    const primary = (await listIndexes(db, table)).find((index) => index.primary)
    if (existing.has('id') && primary?.columns.join() !== 'id') {
      problems.push(`"${table}" has ${primary ? `primary key (${primary.columns.join(', ')})` : 'no primary key'}, not (id): make "id" its primary key`)
    }
  }

  for (const spec of INDEXES) {
    const existing = columnsOf.get(spec.table)
    if (!spec.unique || !existing || !spec.columns.every((c) => existing.has(c))) continue
    if ((await listIndexes(db, spec.table)).some((index) => servesAs(index, spec))) continue
    const duplicate = await findDuplicate(db, spec.table, spec.columns)
    if (duplicate !== undefined) {
      problems.push(`"${spec.table}"."${spec.columns.join('", "')}" holds duplicates (e.g. ${duplicate}), so it cannot be made unique: remove them`)
    }
  }

  const userId = columnsOf.get('user')?.get('id') ?? plannedKeyColumn(dialect)
  for (const spec of FOREIGN_KEYS) {
    const column = columnsOf.get(spec.table)?.get(spec.column)
    if (!column || valueFamily(column) !== 'string' || valueFamily(userId) !== 'string') continue
    const equivalent = findEquivalentForeignKey(await listForeignKeys(db, spec.table), spec)
    if (equivalent) {
      if (equivalent.onDelete !== 'CASCADE') {
        problems.push(
          `"${spec.table}"."${spec.column}" references "user" through "${equivalent.name}" with ON DELETE ${equivalent.onDelete}: Better Auth deletes a user's ${spec.table}s with them, so recreate that key with ON DELETE CASCADE`,
        )
      }
      continue
    }
    if (!canReference(column, userId)) {
      problems.push(
        `"${spec.table}"."${spec.column}" is ${describeColumnType(column)} but user.id is ${describeColumnType(userId)}; a foreign key needs both alike: change "${spec.column}" to user.id's type`,
      )
      continue
    }
    if (columnsOf.has('user')) {
      const orphan = await findOrphan(db, spec.table, spec.column, 'user', 'id')
      if (orphan !== undefined) {
        problems.push(`"${spec.table}"."${spec.column}" holds user ids that no user has (e.g. ${orphan}): delete those ${spec.table} rows`)
      }
    }
  }
  return plan
}

/** Why `table.column` must keep its type (a foreign key uses it), if it must. */
async function boundByForeignKey(db: Kysely<any>, table: string, column: string): Promise<string | undefined> {
  // user.id is what every userId and user_id copies, keys or not: it is never changed here.
  if (table === 'user' && column === 'id') return 'every user reference copies its type'
  const outgoing = (await listForeignKeys(db, table)).find((fk) => fk.columns.includes(column))
  if (outgoing) return `foreign key "${outgoing.name}" uses it`
  const incoming = (await listReferencingForeignKeys(db, table)).find((fk) => fk.referencedColumns.includes(column))
  return incoming ? `foreign key "${incoming.name}" uses it` : undefined
}
