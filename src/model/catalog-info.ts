/**
 * What the catalog says about a table, as plain data: the shapes every engine's catalog reads
 * return (`src/engines/<name>/catalog.ts`) and every comparison reads.
 */

export interface ColumnInfo {
  readonly name: string
  /** The full type as the server prints it: `text`, `varchar(255)`, `timestamp with time zone`. */
  readonly type: string
  /** The base type name in lower case: `text`, `varchar`, `timestamptz`, `datetime`. */
  readonly baseType: string
  readonly nullable: boolean
  /** MySQL only: the column's character set and collation, when it has them. */
  readonly charset: string | null
  readonly collation: string | null
}

export interface IndexInfo {
  readonly name: string
  readonly columns: readonly string[]
  readonly unique: boolean
  readonly primary: boolean
  /** False for a PostgreSQL index left INVALID by an interrupted concurrent build. */
  readonly valid: boolean
  /** A partial, expression or prefix index: it cannot stand in for a plain one. */
  readonly partial: boolean
}

export interface ForeignKeyInfo {
  readonly name: string
  readonly columns: readonly string[]
  readonly referencedTable: string
  readonly referencedColumns: readonly string[]
  /** `CASCADE`, `SET NULL`, `RESTRICT`, `NO ACTION` or `SET DEFAULT`. */
  readonly onDelete: string
  /** False for a PostgreSQL constraint added `NOT VALID` and not validated yet. */
  readonly validated: boolean
}

/** How a column of some kind reads back from the catalog (`listColumns`) once created. */
export interface CatalogType {
  /** `ColumnInfo.type`, with MySQL integer display widths removed (`bigint(20)` → `bigint`). */
  readonly type: string
  /** MySQL only: the character set, where one is required. */
  readonly charset?: string
  /** MySQL only: the collation, where one is required (ids and tokens compare byte for byte). */
  readonly collation?: string
}

