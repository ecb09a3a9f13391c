/**
 * The adoption rules: what an existing table of Better Auth's (made by `better-auth migrate` or
 * by hand) may look like for the module to take it over as its own, what it fixes on the way
 * (missing optional columns, key columns too narrow), and what it refuses, with what to do.
 * Worded for Better Auth: the tables with `adoption: 'strict'` are its core tables.
 */
import type { ColumnTypeChange, Engine } from '../engines/engine.js'
import { finding, type Finding } from '../model/findings.js'
import type { ColumnModel, TableModel } from '../model/migration-schema.js'
import { canWidenLosslessly, describeColumnType, KIND_FAMILIES, valueFamily } from '../model/type-rules.js'
import type { CatalogSnapshot, TableSnapshot } from './catalog-snapshot.js'

/** What the rules see of the planner that runs them. */
export interface AdoptionContext {
  engine(): Engine
  /** The snapshot as the plan has it so far. */
  catalog(): CatalogSnapshot
  /** Adds a finding about a column; later checks of that column are skipped. */
  report(found: Finding): void
  /** Adds a finding about the table as a whole. */
  record(found: Finding): void
}

/** Better Auth's generated ids are 32 characters (its own MySQL type is `varchar(36)`). */
const KEY_MIN_LENGTH = 32

/**
 * A Better Auth table that already exists. Accepted as they are: Better Auth's own types
 * (`varchar(36)` ids, `timestamp(3)`, `text` strings), other names for its keys
 * (`user_email_key`, `account_ibfk_1`), and columns that are nullable where the target is
 * not. Fixed: missing optional columns, key columns too narrow (widened when no foreign key
 * involves them). Refused, with what to do: anything else that Better Auth could not work with.
 */
export async function adoptStrict(
ctx: AdoptionContext,
table: TableModel,
live: TableSnapshot,
toAdd: { table: string; column: ColumnModel }[],
toWiden: ColumnTypeChange[],
): Promise<void> {
const engine = ctx.engine()
  const name = table.name
  for (const model of table.columns) {
    const where = { table: name, column: model.name }
    const column = live.columns.find((c) => c.name === model.name)
    if (typeof model.type !== 'string') continue
    if (!column) {
      if (model.nullable) toAdd.push({ table: name, column: model })
      else if (live.hasRows) ctx.report(finding('required-column-missing', where, `"${name}" has rows but no required column "${model.name}"`, 'add it and fill it, or rename the table'))
      else ctx.report(finding('required-column-missing-empty', where, `"${name}" has no required column "${model.name}"`, 'the table is empty, so drop it and run again'))
      continue
    }
    const expected = KIND_FAMILIES[model.type]
    if (valueFamily(column) !== expected) {
      ctx.report(
        model.type === 'key'
          ? finding('column-type-family', where, `"${name}"."${model.name}" is ${column.type}, but Better Auth writes string ids`, 'rename the table, or migrate its ids to strings')
          : finding('column-type-family', where, `"${name}"."${model.name}" is ${column.type}, but Better Auth stores a ${expected} there`, "change the column's type, or rename the table"),
      )
      continue
    }
    if (model.nullable && !column.nullable) {
      ctx.report(finding('column-not-nullable', where, `"${name}"."${model.name}" is NOT NULL, but Better Auth leaves it empty`, 'make the column nullable'))
    }
    if (model.type === 'key') {
      const length = /\((\d+)\)/.exec(column.type)
      const minLength = model.minLength ?? KEY_MIN_LENGTH
      if (length && Number(length[1]) < minLength) {
        const bound = await boundByForeignKey(ctx, live, model.name)
        const target = { ...engine.catalogColumn(model.name, 'key', column.nullable), name: model.name }
        if (!bound && canWidenLosslessly(column, target)) {
          toWiden.push({ table: name, column: model.name, type: engine.columnTypes.key, nullable: model.nullable })
        } else {
          ctx.report(
            finding(
              'key-too-narrow',
              where,
              `"${name}"."${model.name}" is ${describeColumnType(column)}, narrower than the ${minLength} characters Better Auth's ids there need` +
                (bound ? `, and ${bound}` : ''),
              `widen it to ${engine.catalogTypes.key.type} yourself`,
            ),
          )
        }
      }
    }
  }
  const key = table.columns.find((c) => c.primaryKey)?.name
  const primary = live.indexes.find((index) => index.primary)
  if (key && live.columns.some((c) => c.name === key) && primary?.columns.join() !== key) {
    ctx.record(
      finding('primary-key', { table: name }, `"${name}" has ${primary ? `primary key (${primary.columns.join(', ')})` : 'no primary key'}, not (${key})`, `make "${key}" its primary key`),
    )
  }
}

/** Why `table.column` must keep its type (a foreign key uses it), if it must. */
async function boundByForeignKey(ctx: AdoptionContext, live: TableSnapshot, column: string): Promise<string | undefined> {
  // user.id is what every userId and user_id copies, keys or not: it is never changed here.
  if (live.name === 'user' && column === 'id') return 'every user reference copies its type'
  const outgoing = live.foreignKeys.find((fk) => fk.columns.includes(column))
  if (outgoing) return `foreign key "${outgoing.name}" uses it`
  const incoming = (await ctx.catalog().data(live.name).referencingForeignKeys(live.name)).find((fk) => fk.referencedColumns.includes(column))
  return incoming ? `foreign key "${incoming.name}" uses it` : undefined
}
