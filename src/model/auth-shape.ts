/**
 * The shape of Better Auth's core tables: what the application's options decide about `user`,
 * `session`, `account` and `verification` (their table names, their column names, and how ids
 * are made), as plain data that the database records and the migrations are shaped by.
 *
 * The module's migrations state the core tables in Better Auth's default names (`0001`'s
 * `user.emailVerified`, `0002`'s foreign key to `user.id`); {@link shapeSchema} turns such schema
 * data into the application's names and id types. With {@link DEFAULT_AUTH_SHAPE} it is the
 * identity, so a default deployment's SQL is exactly what it was before shapes existed.
 */
import type { ColumnKind, ColumnModel, ColumnRef, ColumnType, ForeignKeyModel, IndexModel, MigrationSchema, TableModel } from './migration-schema.js'
import { databaseIndexName } from './index-names.js'

/** Better Auth's core models. */
export const AUTH_MODELS = ['user', 'session', 'account', 'verification'] as const
export type AuthModel = (typeof AUTH_MODELS)[number]

/**
 * How ids are made: `string` (Better Auth's own random strings, or an application's
 * `generateId` function), `uuid` (`generateId: 'uuid'`), `serial` (`generateId: 'serial'`:
 * integer identity / auto-increment ids, integer references).
 */
export type IdStrategy = 'string' | 'uuid' | 'serial'
export const ID_STRATEGIES: readonly IdStrategy[] = ['string', 'uuid', 'serial']

/** The column kind of ids made under `ids`, and of the columns that reference them. */
export function idKind(ids: IdStrategy): ColumnKind {
  return ids === 'uuid' ? 'uuid' : ids === 'serial' ? 'integer' : 'key'
}

/**
 * A table's id column as Better Auth makes ids under `ids`: a string it makes itself, a `uuid`
 * (made by PostgreSQL's default, by Better Auth on MySQL), or an integer the database generates.
 */
export function idColumn(name: string, ids: IdStrategy): ColumnModel {
  if (ids === 'uuid') return { name, type: 'uuid', nullable: false, primaryKey: true, default: { randomUuid: true } }
  if (ids === 'serial') return { name, type: 'integer', nullable: false, primaryKey: true, generated: true }
  return { name, type: 'key', nullable: false, primaryKey: true }
}

/** Every field of the core models, `id` first, in Better Auth's order. */
export const AUTH_MODEL_FIELDS: Readonly<Record<AuthModel, readonly string[]>> = {
  user: ['id', 'name', 'email', 'emailVerified', 'image', 'createdAt', 'updatedAt'],
  session: ['id', 'expiresAt', 'token', 'createdAt', 'updatedAt', 'ipAddress', 'userAgent', 'userId'],
  account: ['id', 'accountId', 'providerId', 'userId', 'accessToken', 'refreshToken', 'idToken', 'accessTokenExpiresAt', 'refreshTokenExpiresAt', 'scope', 'password', 'createdAt', 'updatedAt'],
  verification: ['id', 'identifier', 'value', 'expiresAt', 'createdAt', 'updatedAt'],
}

export interface AuthShape {
  readonly ids: IdStrategy
  /** The table of each model. */
  readonly tables: Readonly<Record<AuthModel, string>>
  /** The column of each model's field, only where it is not the field's own name. */
  readonly columns: Readonly<Record<AuthModel, Readonly<Record<string, string>>>>
}

/** Better Auth's defaults: string ids, singular table names, camelCase columns. */
export const DEFAULT_AUTH_SHAPE: AuthShape = Object.freeze({
  ids: 'string',
  tables: Object.freeze({ user: 'user', session: 'session', account: 'account', verification: 'verification' }),
  columns: Object.freeze({ user: Object.freeze({}), session: Object.freeze({}), account: Object.freeze({}), verification: Object.freeze({}) }),
})

/** The column that holds `model`'s `field` in `shape`. */
export function columnOf(shape: AuthShape, model: AuthModel, field: string): string {
  return shape.columns[model][field] ?? field
}

/** `shape` in a canonical form: renames to the field's own name dropped, keys sorted. */
export function normalizeShape(shape: AuthShape): AuthShape {
  const columns = {} as Record<AuthModel, Record<string, string>>
  for (const model of AUTH_MODELS) {
    columns[model] = Object.fromEntries(
      Object.entries(shape.columns[model] ?? {})
        .filter(([field, column]) => field !== column)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    )
  }
  return { ids: shape.ids, tables: { ...shape.tables }, columns }
}

/** Whether two shapes make the same tables. */
export function sameShape(a: AuthShape, b: AuthShape): boolean {
  return JSON.stringify(normalizeShape(a)) === JSON.stringify(normalizeShape(b))
}

export function isDefaultShape(shape: AuthShape): boolean {
  return sameShape(shape, DEFAULT_AUTH_SHAPE)
}

/** What differs from `from` to `to`, a phrase each: `table user → users`, `column user.emailVerified → email_verified`, `ids string → uuid`. */
export function shapeChanges(from: AuthShape, to: AuthShape): string[] {
  const changes: string[] = []
  if (from.ids !== to.ids) changes.push(`ids ${from.ids} → ${to.ids}`)
  for (const model of AUTH_MODELS) {
    if (from.tables[model] !== to.tables[model]) changes.push(`table ${from.tables[model]} → ${to.tables[model]}`)
    for (const field of AUTH_MODEL_FIELDS[model]) {
      const a = columnOf(from, model, field)
      const b = columnOf(to, model, field)
      if (a !== b) changes.push(`column ${to.tables[model]}.${a} → ${b}`)
    }
  }
  return changes
}

/** A shape in a few words, for messages: `string ids, tables user/session/account/verification, 0 renamed columns`. */
export function describeShape(shape: AuthShape): string {
  const renamed = AUTH_MODELS.reduce((n, model) => n + Object.keys(normalizeShape(shape).columns[model]).length, 0)
  return `${shape.ids} ids, tables ${AUTH_MODELS.map((m) => shape.tables[m]).join('/')}, ${renamed} renamed column${renamed === 1 ? '' : 's'}`
}

/**
 * `schema` (stated in Better Auth's default names) in `shape`'s names and id types. Every
 * reference follows: a core table's own columns, columns added to it, indexes and foreign keys
 * on it, and what references `user.id` from elsewhere (`artwork_jobs.user_id`, whose type
 * copies it). The names of indexes and keys on a renamed core table follow Better Auth's rule
 * (`databaseIndexName`). The identity for {@link DEFAULT_AUTH_SHAPE}.
 */
export function shapeSchema(schema: MigrationSchema, shape: AuthShape): MigrationSchema {
  if (isDefaultShape(shape)) return schema
  const modelOf = (table: string): AuthModel | undefined => (AUTH_MODELS as readonly string[]).includes(table) ? (table as AuthModel) : undefined
  const table = (name: string): string => {
    const model = modelOf(name)
    return model ? shape.tables[model] : name
  }
  const column = (tableName: string, name: string): string => {
    const model = modelOf(tableName)
    return model ? columnOf(shape, model, name) : name
  }
  const ref = (r: ColumnRef): ColumnRef => ({ table: table(r.table), column: column(r.table, r.column) })
  const userId: ColumnType = { sameAs: { table: shape.tables.user, column: columnOf(shape, 'user', 'id') } }
  const type = (tableName: string, c: ColumnModel): ColumnType => {
    if (typeof c.type !== 'string') return { sameAs: ref(c.type.sameAs) }
    // The `userId` of `session` and `account` is a key of the user's: with other ids it copies them.
    if (modelOf(tableName) && c.name === 'userId' && shape.ids !== 'string') return userId
    return c.type
  }
  const shapeColumn = (tableName: string, c: ColumnModel): ColumnModel => {
    const renamed: ColumnModel = { ...c, name: column(tableName, c.name), type: type(tableName, c) }
    if (!(modelOf(tableName) && c.primaryKey) || shape.ids === 'string') return renamed
    return idColumn(renamed.name, shape.ids)
  }
  const name = (tableName: string, columns: readonly string[], original: string, kind: 'idx' | 'uidx' | 'fk'): string => {
    if (!modelOf(tableName)) return original
    const renamed = databaseIndexName(table(tableName), columns.map((c) => column(tableName, c)), kind)
    return renamed
  }
  const kindOfName = (original: string, unique?: boolean): 'idx' | 'uidx' => (unique || original.endsWith('_uidx') ? 'uidx' : 'idx')
  return {
    tables: schema.tables.map(
      (t): TableModel => ({
        ...t,
        name: table(t.name),
        columns: t.columns.map((c) => shapeColumn(t.name, c)),
        ...(t.uniques ? { uniques: t.uniques.map((u) => ({ name: name(t.name, u.columns, u.name, 'uidx'), columns: u.columns.map((c) => column(t.name, c)) })) } : {}),
      }),
    ),
    columns: schema.columns.map((a) => ({ ...a, table: table(a.table), column: shapeColumn(a.table, a.column) })),
    kindChanges: schema.kindChanges.map((k) => ({ ...k, table: table(k.table), column: column(k.table, k.column) })),
    indexes: schema.indexes.map(
      (i): IndexModel => ({ ...i, table: table(i.table), name: name(i.table, i.columns, i.name, kindOfName(i.name, i.unique)), columns: i.columns.map((c) => column(i.table, c)) }),
    ),
    foreignKeys: schema.foreignKeys.map(
      (fk): ForeignKeyModel => ({ ...fk, table: table(fk.table), name: name(fk.table, [fk.column], fk.name, 'fk'), column: column(fk.table, fk.column), references: ref(fk.references) }),
    ),
  }
}

/** The renames that take the core tables from `from` to `to`: old table name → new, and (by old table name) old column → new. */
export interface ShapeRenames {
  table(name: string): string
  column(table: string, column: string): string
  /** Each renamed or re-columned table: old name, new name, and its columns old → new (every field). */
  readonly tables: readonly { readonly model: AuthModel; readonly from: string; readonly to: string; readonly columns: readonly { readonly from: string; readonly to: string }[] }[]
}

export function shapeRenames(from: AuthShape, to: AuthShape): ShapeRenames {
  const byOldName = new Map<string, AuthModel>(AUTH_MODELS.map((m) => [from.tables[m], m]))
  const tables = AUTH_MODELS.flatMap((model) => {
    const columns = AUTH_MODEL_FIELDS[model].map((field) => ({ from: columnOf(from, model, field), to: columnOf(to, model, field) }))
    const changed = from.tables[model] !== to.tables[model] || columns.some((c) => c.from !== c.to)
    return changed ? [{ model, from: from.tables[model], to: to.tables[model], columns }] : []
  })
  return {
    tables,
    table: (name) => {
      const model = byOldName.get(name)
      return model ? to.tables[model] : name
    },
    column: (table, column) => {
      const model = byOldName.get(table)
      if (!model) return column
      const field = AUTH_MODEL_FIELDS[model].find((f) => columnOf(from, model, f) === column)
      return field ? columnOf(to, model, field) : column
    },
  }
}
