/**
 * The core tables' shape that Better Auth's options ask for (`advanced.database.generateId`,
 * each core model's `modelName` and `fields`), read through Better Auth's own `getAuthTables`
 * so that every way of naming a table or column that Better Auth honours is honoured here.
 * No database.
 */
import { AUTH_MODELS, AUTH_MODEL_FIELDS, DEFAULT_AUTH_SHAPE, normalizeShape, type AuthModel, type AuthShape, type IdStrategy } from '../model/auth-shape.js'
import type { AuthOptions } from './options.js'

interface AuthTables {
  readonly [model: string]: { readonly modelName: string; readonly fields: Readonly<Record<string, { readonly fieldName?: string }>> }
}

/** The shape `options` ask for; Better Auth's defaults when there are none. */
export async function authShapeOf(options: AuthOptions | undefined): Promise<AuthShape> {
  if (!options) return DEFAULT_AUTH_SHAPE
  // Loaded here, not on import: importing the module must not load Better Auth (see auth.ts).
  const { getAuthTables } = await import('better-auth/db')
  return shapeFromTables(getAuthTables(options as never) as unknown as AuthTables, idStrategyOf(options))
}

/** How `options` make ids. */
export function idStrategyOf(options: AuthOptions): IdStrategy {
  const database = (options.advanced as { database?: { generateId?: unknown; useNumberId?: boolean } } | undefined)?.database
  if (database?.generateId === 'serial' || database?.useNumberId) return 'serial'
  if (database?.generateId === 'uuid') return 'uuid'
  return 'string'
}

/** The shape of Better Auth's tables as `getAuthTables` gives them. */
export function shapeFromTables(tables: AuthTables, ids: IdStrategy): AuthShape {
  const names = {} as Record<AuthModel, string>
  const columns = {} as Record<AuthModel, Record<string, string>>
  for (const model of AUTH_MODELS) {
    const table = tables[model]
    names[model] = table?.modelName ?? model
    columns[model] = {}
    for (const field of AUTH_MODEL_FIELDS[model]) {
      const column = table?.fields[field]?.fieldName
      if (column && column !== field) columns[model][field] = column
    }
  }
  return normalizeShape({ ids, tables: names, columns })
}

/** The table of every model `options` have (the core ones and the plugins'): the tables whose ids Better Auth makes. */
export async function authTableNames(options: AuthOptions): Promise<string[]> {
  const { getAuthTables } = await import('better-auth/db')
  return Object.values(getAuthTables(options as never) as unknown as AuthTables).map((table) => table.modelName)
}
