import { sql, type CreateTableBuilder, type Kysely } from 'kysely'
import type { Engine } from '../engines/engine.js'
import type { ColumnInfo } from '../model/catalog-info.js'
import type { TableModel } from '../model/migration-schema.js'
import { sameTypeAs } from '../model/type-rules.js'

/**
 * Builds `table`'s `create table` in the engine's types: the one statement both the plan and
 * the step compile. A generated key is not marked NOT NULL: its primary key implies it.
 */
export function createTableBuilder(
  db: Kysely<any>,
  engine: Engine,
  table: TableModel,
  sameAs: Readonly<Record<string, ColumnInfo>> = {},
): CreateTableBuilder<string, string> {
  const types = engine.columnTypes
  let builder = db.schema.createTable(table.name).ifNotExists()
  for (const column of table.columns) {
    const copied = sameAs[column.name]
    if (typeof column.type !== 'string' && !copied) throw new Error(`${table.name}.${column.name}: the type it copies was not resolved`)
    const type = typeof column.type === 'string' ? types[column.type] : sameTypeAs(copied!)
    builder = builder.addColumn(column.name, type, (col) => {
      if (column.primaryKey) col = col.primaryKey()
      if (column.generated) col = types.generated(col)
      else if (!column.nullable) col = col.notNull()
      if (column.default && 'now' in column.default) col = col.defaultTo(types.now)
      else if (column.default && 'randomUuid' in column.default) col = types.randomUuid ? col.defaultTo(types.randomUuid) : col
      else if (column.default && typeof column.default.literal === 'boolean') col = col.defaultTo(sql.lit(column.default.literal))
      else if (column.default) col = col.defaultTo(column.default.literal)
      return col
    })
  }
  for (const unique of table.uniques ?? []) builder = builder.addUniqueConstraint(unique.name, [...unique.columns] as never[])
  return types.tableOptions(builder)
}
