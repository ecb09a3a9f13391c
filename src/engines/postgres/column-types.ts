/**
 * PostgreSQL's column types, following Better Auth's own generator (`text`, `timestamptz`,
 * `boolean`), and how each reads back from the catalog.
 */
import { sql } from 'kysely'
import type { CatalogType, ColumnInfo } from '../../model/catalog-info.js'
import type { ColumnTypes } from '../../model/type-rules.js'
import type { ColumnKind } from '../../model/migration-schema.js'

export const postgresColumnTypes: ColumnTypes = {
  key: 'text',
  indexedString: 'text',
  // PostgreSQL's default collation is deterministic: text already compares byte for byte.
  exactString: 'text',
  text: 'text',
  shortString: 'text',
  boolean: 'boolean',
  timestamp: 'timestamptz',
  now: sql`CURRENT_TIMESTAMP`,
  bigint: 'bigint',
  integer: 'integer',
  json: 'jsonb',
  uuid: 'uuid',
  // Built in since PostgreSQL 13 (and in PGlite); Better Auth's own migration uses it so.
  randomUuid: sql`gen_random_uuid()`,
  generated: (column) => column.generatedByDefaultAsIdentity(),
  tableOptions: (table) => table,
}

export const postgresCatalogTypes: Readonly<Record<ColumnKind, CatalogType>> = {
  key: { type: 'text' },
  indexedString: { type: 'text' },
  exactString: { type: 'text' },
  text: { type: 'text' },
  shortString: { type: 'text' },
  boolean: { type: 'boolean' },
  timestamp: { type: 'timestamp with time zone' },
  bigint: { type: 'bigint' },
  integer: { type: 'integer' },
  json: { type: 'jsonb' },
  uuid: { type: 'uuid' },
}

const BASE_TYPES: Readonly<Record<ColumnKind, string>> = {
  key: 'text',
  indexedString: 'text',
  // PostgreSQL's default collation is deterministic: text already compares byte for byte.
  exactString: 'text',
  text: 'text',
  shortString: 'text',
  boolean: 'bool',
  timestamp: 'timestamptz',
  bigint: 'int8',
  integer: 'int4',
  json: 'jsonb',
  uuid: 'uuid',
}

/** A column of `kind` as `listColumns` reads it back once created. */
export function postgresCatalogColumn(name: string, kind: ColumnKind, nullable: boolean): ColumnInfo {
  return { name, type: postgresCatalogTypes[kind].type, baseType: BASE_TYPES[kind], nullable, charset: null, collation: null }
}
