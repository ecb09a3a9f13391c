/**
 * MySQL's and MariaDB's column types, and how each reads back from the catalog.
 *
 * - ids and tokens are `varchar(255)` in `utf8mb4_bin`: wide enough for every id Better Auth
 *   writes (its verification ids are 43 characters) and compared byte for byte, as random
 *   strings must be; 255 × 4 bytes stays inside InnoDB's 3072-byte index key limit;
 * - other indexed strings are `varchar(255)` (MySQL cannot index `text` without a prefix);
 * - timestamps are `datetime(3)`: milliseconds, valid after 2038 (unlike `timestamp`), and
 *   read and written as UTC by the driver;
 * - tables are InnoDB in `utf8mb4_unicode_ci`, a collation both MySQL 8 and MariaDB have.
 */
import { sql } from 'kysely'
import type { CatalogType, ColumnInfo } from '../../model/catalog-info.js'
import type { ColumnTypes } from '../../model/type-rules.js'
import type { ColumnKind } from '../../model/migration-schema.js'

/**
 * The binary collation without padding, under which trailing spaces count, as they do in
 * PostgreSQL: MySQL 8 and MariaDB share none (`utf8mb4_bin` is PAD SPACE on both), so the engine
 * picks it by server (`mysqlFlavourOf`). MySQL 8's is the default, for a plan with no server.
 */
export type MysqlFlavour = 'mysql' | 'mariadb'
export const EXACT_COLLATION: Readonly<Record<MysqlFlavour, string>> = { mysql: 'utf8mb4_0900_bin', mariadb: 'utf8mb4_nopad_bin' }

export function mysqlColumnTypesFor(flavour: MysqlFlavour): ColumnTypes {
  return { ...mysqlColumnTypes, exactString: sql`varchar(255) character set utf8mb4 collate ${sql.raw(EXACT_COLLATION[flavour])}` }
}

/** MariaDB's `json` is an alias of `longtext` (binary collation) with a `json_valid` check: it reads back so. */
const JSON_READ_BACK: Readonly<Record<MysqlFlavour, CatalogType>> = {
  mysql: { type: 'json' },
  mariadb: { type: 'longtext', charset: 'utf8mb4', collation: 'utf8mb4_bin' },
}

export function mysqlCatalogTypesFor(flavour: MysqlFlavour): Readonly<Record<ColumnKind, CatalogType>> {
  return {
    ...mysqlCatalogTypes,
    exactString: { type: 'varchar(255)', charset: 'utf8mb4', collation: EXACT_COLLATION[flavour] },
    json: JSON_READ_BACK[flavour],
  }
}

export const mysqlColumnTypes: ColumnTypes = {
  key: sql`varchar(255) character set utf8mb4 collate utf8mb4_bin`,
  indexedString: 'varchar(255)',
  exactString: sql`varchar(255) character set utf8mb4 collate utf8mb4_0900_bin`,
  text: 'text',
  shortString: 'varchar(32)',
  boolean: 'boolean',
  timestamp: sql`datetime(3)`,
  now: sql`CURRENT_TIMESTAMP(3)`,
  bigint: 'bigint',
  integer: 'integer',
  // MariaDB's `json` is `longtext` with a `json_valid` check: it reads back as longtext.
  json: 'json',
  // Better Auth's own MySQL uuid column is a varchar(36); compared byte for byte, as every id here.
  uuid: sql`varchar(36) character set utf8mb4 collate utf8mb4_bin`,
  // Better Auth makes uuid ids itself on MySQL (crypto.randomUUID), as its own migration expects.
  randomUuid: undefined,
  generated: (column) => column.autoIncrement(),
  tableOptions: (table) => table.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci`),
}

/** The collation every table the module creates defaults to. */
const TABLE_COLLATION = 'utf8mb4_unicode_ci'

export const mysqlCatalogTypes: Readonly<Record<ColumnKind, CatalogType>> = {
  key: { type: 'varchar(255)', charset: 'utf8mb4', collation: 'utf8mb4_bin' },
  indexedString: { type: 'varchar(255)', charset: 'utf8mb4' },
  exactString: { type: 'varchar(255)', charset: 'utf8mb4', collation: EXACT_COLLATION.mysql },
  text: { type: 'text', charset: 'utf8mb4' },
  shortString: { type: 'varchar(32)', charset: 'utf8mb4' },
  // MySQL 8 dropped display widths from integer types, except tinyint(1): both keep this one.
  boolean: { type: 'tinyint(1)' },
  timestamp: { type: 'datetime(3)' },
  bigint: { type: 'bigint' },
  integer: { type: 'int' },
  json: JSON_READ_BACK.mysql,
  uuid: { type: 'varchar(36)', charset: 'utf8mb4', collation: 'utf8mb4_bin' },
}

/** A column of `kind` as `listColumns` reads it back once created. */
export function mysqlCatalogColumn(name: string, kind: ColumnKind, nullable: boolean, catalogTypes = mysqlCatalogTypes): ColumnInfo {
  const { type, charset, collation } = catalogTypes[kind]
  return {
    name,
    type,
    baseType: type.split('(')[0]!,
    nullable,
    charset: charset ?? null,
    collation: collation ?? (charset ? TABLE_COLLATION : null),
  }
}
