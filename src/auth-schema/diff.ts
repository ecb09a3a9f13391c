/**
 * What Better Auth's options need that the migrations do not provide, computed from data alone:
 * Better Auth's own schema for the options (`getSchema` / `getAuthTables` from `better-auth/db`:
 * plugin tables and fields, `additionalFields`, `unique`, `index`, `references`, defaults,
 * `required`) against the fold of the migrations' schema data (`foldSchemas`). No database.
 *
 * The difference comes out as a {@link MigrationSchema} in the module's own column kinds, which
 * the planner runs online like any other migration. The core tables' names and ids are the
 * shape's business (`model/auth-shape.ts`, renamed by a migration of their own); what cannot be
 * made safely by adding things (a column's type, a foreign key that does not cascade) is refused
 * with one line each ({@link UnsafeAuthChangeError}).
 */
import type { BetterAuthOptions } from 'better-auth'
import { AuthDbError } from '../errors.js'
import { KIND_FAMILIES, type ValueFamily } from '../model/type-rules.js'
import {
  foldSchemas,
  type AddedColumnModel,
  type ColumnDefault,
  type ColumnKind,
  type ColumnModel,
  type FoldedSchema,
  type ForeignKeyModel,
  type IndexModel,
  type MigrationSchema,
  type TableModel,
} from '../model/migration-schema.js'
import { databaseIndexName } from '../model/index-names.js'
import { idColumn, type IdStrategy } from '../model/auth-shape.js'
import { idStrategyOf } from './shape.js'

/** Better Auth's field, as `getSchema` gives it (the parts read here). */
interface AuthField {
  readonly type: string | readonly string[]
  readonly required?: boolean
  readonly unique?: boolean
  readonly index?: boolean
  readonly sortable?: boolean
  readonly bigint?: boolean
  readonly defaultValue?: unknown
  readonly fieldName?: string
  readonly references?: { readonly model: string; readonly field: string; readonly onDelete?: string }
}

interface AuthTable {
  readonly fields: Readonly<Record<string, AuthField>>
  readonly order?: number
  readonly disableMigrations?: boolean
  readonly indexes?: readonly { readonly name: string; readonly columns: readonly string[]; readonly unique?: boolean }[]
}

/** A Better Auth option that cannot be turned into a migration safely. */
export class UnsafeAuthChangeError extends AuthDbError {
  override name = 'UnsafeAuthChangeError'
  constructor(readonly problems: readonly string[]) {
    super(`Better Auth's options need changes that cannot be generated safely: ${problems.join('; ')}`)
  }
}

/** The schema Better Auth's options need, less what `fold` has. Empty when nothing is missing. */
export interface AuthSchemaGap {
  readonly schema: MigrationSchema
  /** One short phrase per missing object: `table member`, `column user.username`, `index ...`. */
  readonly missing: readonly string[]
}

/**
 * The difference between what `options` need and what `schemas` (the migrations' schema data, in
 * order) lead to. Throws {@link UnsafeAuthChangeError} for what cannot be added safely.
 */
export async function authSchemaGap(options: BetterAuthOptions, schemas: readonly MigrationSchema[]): Promise<AuthSchemaGap> {
  // Loaded here, not on import: importing the module must not load Better Auth (see auth.ts).
  const { getSchema, getAuthTables } = await import('better-auth/db')
  const authSchema = getSchema(options as never) as unknown as Record<string, AuthTable>
  const tables = getAuthTables(options as never) as unknown as Record<string, AuthModelTable>
  return diffAuthSchema(withApiKeyOwner(withReferencedColumns(authSchema, tables), tables), foldSchemas(schemas), idStrategyOf(options))
}

/** A Better Auth model as `getAuthTables` gives it: its table's name, and its fields by key. */
interface AuthModelTable {
  readonly modelName: string
  readonly fields: Readonly<Record<string, AuthField>>
}

/**
 * `getSchema` names a reference's table by its `modelName`, but leaves its field as the key a
 * plugin wrote (`references: { model: "user", field: "email" }`). The column is the field's
 * `fieldName` (`user: { fields: { email: "email_address" } }`), which Better Auth's own migration
 * references (`getReferencePath`); a foreign key to the key would name a column that is not there.
 */
function withReferencedColumns(authSchema: Record<string, AuthTable>, tables: Record<string, AuthModelTable>): Record<string, AuthTable> {
  const columnOf = (modelName: string, field: string): string => {
    for (const table of Object.values(tables)) {
      if (table.modelName === modelName && table.fields[field]) return table.fields[field]!.fieldName ?? field
    }
    return field
  }
  const resolved: Record<string, AuthTable> = {}
  for (const [name, table] of Object.entries(authSchema)) {
    const fields: Record<string, AuthField> = {}
    for (const [column, field] of Object.entries(table.fields)) {
      fields[column] = field.references ? { ...field, references: { ...field.references, field: columnOf(field.references.model, field.references.field) } } : field
    }
    resolved[name] = { ...table, fields }
  }
  return resolved
}

/**
 * `@better-auth/api-key` declares no reference for `apikey.referenceId`, because a key belongs
 * to a user or, with the plugin's `references: "organization"`, to an organization; so deleting
 * a user would leave their keys behind, still valid for a user that no longer exists. The
 * plugin's default is `"user"`, and the plugin object does not expose its configuration (1.7:
 * only `id`, `endpoints`, `hooks`, `schema`), so the generated migration takes every key to be a
 * user's: `referenceId` copies `user.id`'s exact type and references it `ON DELETE CASCADE`,
 * which removes the keys in the same statement as the user, also when the user is deleted
 * outside Better Auth. An application whose keys belong to organizations removes that foreign
 * key from the generated file before committing it (docs/better-auth.md says so, and so does the file).
 */
export const API_KEY_OWNER_NOTE =
  'apikey.referenceId is taken to reference user.id (the api-key plugin\'s default, references: "user"), so deleting a user deletes their keys; with references: "organization", remove that foreign key from this file before committing it.'

function withApiKeyOwner(authSchema: Record<string, AuthTable>, tables: Record<string, AuthModelTable>): Record<string, AuthTable> {
  const apiKey = tables['apikey']
  const user = tables['user']
  if (!apiKey || !user) return authSchema
  const field = apiKey.fields['referenceId']
  if (!field || field.references) return authSchema
  const column = field.fieldName ?? 'referenceId'
  const table = authSchema[apiKey.modelName]
  const declared = table?.fields[column]
  if (!table || !declared) return authSchema
  const references = { model: user.modelName, field: user.fields['id']?.fieldName ?? 'id', onDelete: 'cascade' }
  return { ...authSchema, [apiKey.modelName]: { ...table, fields: { ...table.fields, [column]: { ...declared, references } } } }
}

/**
 * The pure diff: Better Auth's schema (`getSchema`) against a fold. A new table's id is made as
 * `ids` says (the core tables' own strategy, which Better Auth applies to every table).
 */
export function diffAuthSchema(authSchema: Readonly<Record<string, AuthTable>>, fold: FoldedSchema, ids: IdStrategy = 'string'): AuthSchemaGap {
  const problems: string[] = []
  const missing: string[] = []
  const tables: TableModel[] = []
  const columns: AddedColumnModel[] = []
  const indexes: IndexModel[] = []
  const foreignKeys: ForeignKeyModel[] = []
  const hasIndex = (table: string, cols: readonly string[], unique: boolean, name: string): boolean =>
    [...fold.indexes, ...indexes].some(
      (i) => i.table === table && (i.name === name || (i.columns.join() === cols.join() && (i.unique === true || !unique))),
    )
  const hasForeignKey = (table: string, column: string): boolean => [...fold.foreignKeys, ...foreignKeys].some((fk) => fk.table === table && fk.column === column)

  for (const [tableName, table] of orderByReferences(authSchema)) {
    if (table.disableMigrations) continue
    const folded = fold.tables.find((t) => t.name === tableName)
    const fields = Object.entries(table.fields)
    if (!folded) {
      tables.push({
        name: tableName,
        adoption: 'strict',
        columns: [idColumn('id', ids), ...fields.map(([name, field]) => columnOf(name, field))],
      })
      missing.push(`table ${tableName}`)
    } else {
      for (const [name, field] of fields) {
        const existing = folded.columns.find((c) => c.name === name)
        if (!existing) {
          columns.push({ table: tableName, column: columnOf(name, field) })
          missing.push(`column ${tableName}.${name}`)
          continue
        }
        const wanted = familyOfField(field)
        const have = typeof existing.type === 'string' ? KIND_FAMILIES[existing.type] : 'string'
        if (wanted !== have && !field.references) {
          problems.push(
            `"${tableName}"."${name}" holds a ${have} in the migrations, but the options make it a ${String(field.type)}; change its type in a migration of your own, or change the field back`,
          )
        }
      }
    }
    for (const [name, field] of fields) {
      if (field.references) {
        const onDelete = field.references.onDelete ?? 'cascade'
        if (onDelete !== 'cascade') {
          problems.push(`"${tableName}"."${name}" references ${field.references.model} with onDelete "${onDelete}"; only cascade is generated, write that foreign key in a migration of your own`)
        } else if (!hasForeignKey(tableName, name)) {
          foreignKeys.push({
            table: tableName,
            name: databaseIndexName(tableName, [name], 'fk'),
            column: name,
            references: { table: field.references.model, column: field.references.field },
            onDelete: 'cascade',
          })
          missing.push(`foreign key ${tableName}.${name} → ${field.references.model}.${field.references.field}`)
        }
      }
      if (field.unique || field.index) {
        const unique = field.unique === true
        const indexName = databaseIndexName(tableName, [name], unique ? 'uidx' : 'idx')
        if (!hasIndex(tableName, [name], unique, indexName)) {
          indexes.push({ table: tableName, name: indexName, columns: [name], ...(unique ? { unique: true } : {}) })
          missing.push(`${unique ? 'unique index' : 'index'} ${indexName}`)
        }
      }
    }
    for (const index of table.indexes ?? []) {
      if (!hasIndex(tableName, index.columns, index.unique === true, index.name)) {
        indexes.push({ table: tableName, name: index.name, columns: [...index.columns], ...(index.unique ? { unique: true } : {}) })
        missing.push(`${index.unique ? 'unique index' : 'index'} ${index.name}`)
      }
    }
  }
  if (problems.length > 0) throw new UnsafeAuthChangeError(problems)
  return { schema: { tables, columns, kindChanges: [], indexes, foreignKeys }, missing }
}

/**
 * The tables in Better Auth's order, each after the tables its new columns reference, so that
 * a `sameAs` type and a foreign key always find their target created first.
 */
function orderByReferences(schema: Readonly<Record<string, AuthTable>>): [string, AuthTable][] {
  const entries = Object.entries(schema).sort(([, a], [, b]) => (a.order ?? Infinity) - (b.order ?? Infinity))
  const done = new Set<string>()
  const ordered: [string, AuthTable][] = []
  const visit = (name: string, table: AuthTable, path: Set<string>): void => {
    if (done.has(name) || path.has(name)) return
    path.add(name)
    for (const field of Object.values(table.fields)) {
      const target = field.references?.model
      if (target && target !== name && schema[target]) visit(target, schema[target]!, path)
    }
    done.add(name)
    ordered.push([name, table])
  }
  for (const [name, table] of entries) visit(name, table, new Set())
  return ordered
}

/** The family of value a Better Auth field holds, as the column kinds group them. */
function familyOfField(field: AuthField): ValueFamily {
  return KIND_FAMILIES[kindOf(field)]
}

/**
 * The column kind for a Better Auth field. Strings that carry an index or a unique key are
 * `key` (compared byte for byte on MySQL, as PostgreSQL compares them: an API key, a secret or a
 * slug must never match another value that differs only in case); other strings that are sorted
 * or have a default are `indexedString` (bounded, so MySQL can index them and give them a
 * default); the rest is `text`. Arrays and JSON are stored as JSON, as Better Auth's own
 * migration does (`jsonb` / `json`).
 */
function kindOf(field: AuthField): ColumnKind {
  const type = field.type
  if (Array.isArray(type) || type === 'string') {
    if (field.unique || field.index) return 'key'
    if (field.sortable || staticDefault(field) !== undefined) return 'indexedString'
    return 'text'
  }
  switch (type) {
    case 'number':
      return field.bigint ? 'bigint' : 'integer'
    case 'boolean':
      return 'boolean'
    case 'date':
      return 'timestamp'
    case 'json':
    case 'string[]':
    case 'number[]':
      return 'json'
    default:
      throw new UnsafeAuthChangeError([`field type "${String(type)}" is not one Better Auth supports (string, number, boolean, date, json, string[], number[])`])
  }
}

function columnOf(name: string, field: AuthField): ColumnModel {
  const type: ColumnModel['type'] = field.references ? { sameAs: { table: field.references.model, column: field.references.field } } : kindOf(field)
  const defaultValue = defaultOf(field)
  return { name, type, nullable: field.required === false, ...(defaultValue ? { default: defaultValue } : {}) }
}

/** A default the database can hold: the current time for dates Better Auth stamps, or a literal. */
function defaultOf(field: AuthField): ColumnDefault | undefined {
  if (field.type === 'date' && typeof field.defaultValue === 'function') return { now: true }
  const literal = staticDefault(field)
  return literal === undefined ? undefined : { literal }
}

/** As Better Auth's own migration decides (`hasStaticColumnDefault`): a unique optional field gets none. */
function staticDefault(field: AuthField): string | number | boolean | undefined {
  if (field.unique && field.required === false) return undefined
  const value = field.defaultValue
  if (!['string', 'number', 'boolean'].includes(field.type as string)) return undefined
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : undefined
}

/** Whether a gap is empty. */
export function isEmptyGap(gap: AuthSchemaGap): boolean {
  return gap.missing.length === 0
}
