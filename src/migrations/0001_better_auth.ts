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
import { columnTypes, type ColumnTypes } from '../schema/column-types.js'
import { sqlDialectOfDb } from '../schema/dialect.js'
import { listColumns, tableExists, tableHasRows } from '../schema/introspect.js'
import { ensureForeignKey, ensureIndex, ensureNullableColumn, ensureTable, undoCreations } from '../schema/online-ddl.js'
import type { SqlDialect } from '../db/url.js'

const MIGRATION = '0001_better_auth'

type TypeName = keyof Pick<ColumnTypes, 'key' | 'indexedString' | 'text' | 'boolean' | 'timestamp'>

interface ColumnDef {
  readonly name: string
  readonly type: TypeName
  readonly nullable?: boolean
  /** Filled in by the database when an insert leaves it out. */
  readonly defaultValue?: 'now' | false
}

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
    { name: 'id', type: 'key' },
    { name: 'identifier', type: 'indexedString' },
    { name: 'value', type: 'text' },
    { name: 'expiresAt', type: 'timestamp' },
    { name: 'createdAt', type: 'timestamp', defaultValue: 'now' },
    { name: 'updatedAt', type: 'timestamp', defaultValue: 'now' },
  ],
}

const INDEXES = [
  { table: 'user', name: 'user_email_uidx', columns: ['email'], unique: true },
  { table: 'session', name: 'session_token_uidx', columns: ['token'], unique: true },
  { table: 'session', name: 'session_userId_idx', columns: ['userId'] },
  { table: 'account', name: 'account_userId_idx', columns: ['userId'] },
] as const

const FOREIGN_KEYS = [
  { table: 'session', name: 'session_userId_fk', column: 'userId', referencedTable: 'user', referencedColumn: 'id' },
  { table: 'account', name: 'account_userId_fk', column: 'userId', referencedTable: 'user', referencedColumn: 'id' },
] as const

/** Base types a string id may have in a table we adopt. */
const STRING_KEY_TYPES: Record<SqlDialect, readonly string[]> = {
  postgres: ['text', 'varchar', 'bpchar', 'uuid'],
  mysql: ['varchar', 'char'],
}

export async function up(db: Kysely<any>): Promise<void> {
  const dialect = sqlDialectOfDb(db)
  const types = columnTypes(dialect)
  const missingColumns = await planAdoption(db, dialect)

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

  for (const { table, def } of missingColumns) {
    await ensureNullableColumn(db, MIGRATION, { table, column: def.name, type: types[def.type] })
  }
  for (const index of INDEXES) await ensureIndex(db, MIGRATION, index)
  for (const foreignKey of FOREIGN_KEYS) await ensureForeignKey(db, MIGRATION, foreignKey)
}

export async function down(db: Kysely<any>): Promise<void> {
  await undoCreations(db, MIGRATION)
}

/**
 * Checks every Better Auth table that already exists, before anything changes. Returns the
 * optional columns to add; throws {@link SchemaConflictError} with every problem found when a
 * table cannot be adopted (a missing required column, a key that is not a string).
 */
async function planAdoption(db: Kysely<any>, dialect: SqlDialect): Promise<{ table: string; def: ColumnDef }[]> {
  const problems: string[] = []
  const toAdd: { table: string; def: ColumnDef }[] = []
  for (const [table, defs] of Object.entries(TABLES)) {
    if (!(await tableExists(db, table))) continue
    const existing = new Map((await listColumns(db, table)).map((c) => [c.name, c]))
    for (const def of defs) {
      const column = existing.get(def.name)
      if (!column) {
        if (def.nullable) toAdd.push({ table, def })
        else if (await tableHasRows(db, table)) problems.push(`${table} has rows but no required column "${def.name}"`)
        else problems.push(`${table} has no required column "${def.name}" (the table is empty: drop it and run again)`)
        continue
      }
      if (def.type === 'key' && !STRING_KEY_TYPES[dialect].includes(column.baseType)) {
        problems.push(`${table}.${def.name} is ${column.type}, but Better Auth writes string ids`)
      }
    }
  }
  if (problems.length > 0) throw new SchemaConflictError(problems)
  return toAdd
}
