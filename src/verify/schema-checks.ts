/**
 * The seed's "Testing This Phase" checks, against the live catalog: the tables exist, their
 * columns have the dialect's types, the foreign keys cascade, and the indexes are there (by the
 * README's names, or an equivalent index: same columns in the same order).
 */
import { sql } from 'kysely'
import { engineOf } from '../engines/index.js'
import { describeCatalogType, hasCatalogType, sameType, sameTypeAs, type CatalogType } from '../schema/column-types.js'
import type { ColumnInfo } from '../schema/introspect.js'
import { servesAs } from '../schema/plan.js'
import { restoreFix, type CheckItem, type VerifyCheck, type VerifyContext } from './check.js'
import { EXPECTED_FOREIGN_KEYS, EXPECTED_INDEXES, EXPECTED_TABLES, type ExpectedColumn, type ExpectedTable } from './expected-schema.js'

export const tablesCheck: VerifyCheck = {
  name: 'tables',
  title: 'Tables',
  async run(context) {
    const items: CheckItem[] = []
    for (const table of EXPECTED_TABLES) {
      const exists = (await context.table(table.name)) !== undefined
      if (exists) items.push({ status: 'ok', subject: table.name })
      else if (table.optional) items.push({ status: 'ok', subject: table.name, detail: 'not present (optional)' })
      else {
        items.push({
          status: 'fail',
          subject: table.name,
          detail: 'missing',
          fix:
            context.pendingMigrations.length > 0
              ? 'run npm run migrate:latest'
              : 'the migrations are applied, so it was dropped since: restore it from a backup, or undo and reapply the migration that creates it (npm run migrate:down -- --to <name>, then migrate:latest)',
        })
      }
    }
    return items
  },
}

export const columnsCheck: VerifyCheck = {
  name: 'columns',
  title: 'Columns and types',
  async run(context) {
    const items: CheckItem[] = []
    for (const table of EXPECTED_TABLES) {
      const info = await context.table(table.name)
      if (!info) continue
      const problems: CheckItem[] = []
      for (const expected of table.columns) {
        const column = info.columns.find((c) => c.name === expected.name)
        problems.push(...(await checkColumn(context, table, expected, column)))
      }
      if (problems.length === 0) {
        items.push({ status: 'ok', subject: table.name, detail: `${table.columns.length === 1 ? `${table.columns[0]!.name}` : `${table.columns.length} columns`} as expected` })
      } else {
        items.push(...problems)
      }
    }
    return items
  },
}

async function checkColumn(context: VerifyContext, table: ExpectedTable, expected: ExpectedColumn, column: ColumnInfo | undefined): Promise<CheckItem[]> {
  const subject = `${table.name}.${expected.name}`
  const typeSeverity = expected.typeSeverity ?? 'fail'
  const expectedType = await catalogTypeOf(context, expected)
  if (!column) {
    const type = typeof expected.kind === 'string' ? engineOf(context.db).columnTypes[expected.kind] : expectedType?.source && sameTypeAs(expectedType.source)
    const add = type && context.db.schema.alterTable(table.name).addColumn(expected.name, type).compile().sql
    return [
      {
        status: expected.missingSeverity ?? 'fail',
        subject,
        detail: 'missing',
        fix: add ? restoreFix(context, add) : `add the column ${expected.name}`,
      },
    ]
  }
  const items: CheckItem[] = []
  if (expectedType && !expectedType.matches(column)) {
    items.push({
      status: typeSeverity,
      subject,
      detail: `is ${describeCatalogType(column)}, expected ${expectedType.description}`,
      fix:
        typeSeverity === 'warn'
          ? 'a legacy column keeps its own type; change it only if the application needs the target type'
          : `alter the column to ${expectedType.description} (see README "Schema")`,
    })
  }
  if (expected.nullable && !column.nullable) {
    items.push({ status: typeSeverity, subject, detail: 'is NOT NULL, but rows without a value must be allowed', fix: 'make it nullable' })
  } else if (!expected.nullable && column.nullable) {
    items.push({ status: 'warn', subject, detail: 'is nullable, expected NOT NULL', fix: 'fill in any NULLs, then make it NOT NULL' })
  }
  return items
}

interface ResolvedType {
  readonly description: string
  matches(column: ColumnInfo): boolean
  /** For `sameAs`: the column whose type it copies. */
  readonly source?: ColumnInfo
}

async function catalogTypeOf(context: VerifyContext, expected: ExpectedColumn): Promise<ResolvedType | undefined> {
  if (typeof expected.kind === 'string') {
    const type: CatalogType = engineOf(context.db).catalogTypes[expected.kind]
    return { description: describeCatalogType(type), matches: (column) => hasCatalogType(column, type) }
  }
  const { table, column: name } = expected.kind.sameAs
  const target = (await context.table(table))?.columns.find((c) => c.name === name)
  if (!target) return undefined // reported as a missing table or column of its own
  return { description: `${describeCatalogType(target)} (exactly ${table}.${name}'s type)`, matches: (column) => sameType(column, target), source: target }
}

export const foreignKeysCheck: VerifyCheck = {
  name: 'foreign-keys',
  title: 'Foreign keys',
  async run(context) {
    const items: CheckItem[] = []
    for (const expected of EXPECTED_FOREIGN_KEYS) {
      const info = await context.table(expected.table)
      if (!info) continue
      const subject = `${expected.table}.${expected.column} → ${expected.referencedTable}.${expected.referencedColumn}`
      const found =
        info.foreignKeys.find((fk) => fk.name === expected.name) ??
        info.foreignKeys.find(
          (fk) =>
            fk.columns.join() === expected.column &&
            fk.referencedTable === expected.referencedTable &&
            fk.referencedColumns.join() === expected.referencedColumn,
        )
      const alter = context.db.schema.alterTable(expected.table)
      const add = alter
        .addForeignKeyConstraint(expected.name, [expected.column], expected.referencedTable, [expected.referencedColumn], (fk) => fk.onDelete('cascade'))
        .compile().sql
      if (!found) {
        items.push({ status: 'fail', subject, detail: `missing (${expected.name})`, fix: restoreFix(context, add) })
        continue
      }
      const as = found.name === expected.name ? found.name : `as ${found.name}`
      if (found.onDelete !== expected.onDelete) {
        const drop = alter.dropConstraint(found.name).compile().sql
        items.push({
          status: 'fail',
          subject,
          detail: `${as} deletes ${found.onDelete}, expected ON DELETE ${expected.onDelete}: deleting a user would fail or leave orphans`,
          fix: `replace it: ${drop}; ${add}`,
        })
      } else if (!found.validated) {
        items.push({
          status: 'fail',
          subject,
          detail: `${as} is NOT VALID: rows added before it are unchecked`,
          fix: `run npm run migrate:latest, or ${sql`alter table ${sql.table(expected.table)} validate constraint ${sql.id(found.name)}`.compile(context.db).sql}`,
        })
      } else {
        items.push({ status: 'ok', subject, detail: `ON DELETE ${found.onDelete} (${as})` })
      }
    }
    return items
  },
}

export const indexesCheck: VerifyCheck = {
  name: 'indexes',
  title: 'Indexes',
  async run(context) {
    const items: CheckItem[] = []
    for (const expected of EXPECTED_INDEXES) {
      const info = await context.table(expected.table)
      if (!info) continue
      const subject = `${expected.name} on ${expected.table} (${expected.columns.join(', ')})${expected.unique ? ' unique' : ''}`
      const named = info.indexes.find((index) => index.name === expected.name)
      const create = context.db.schema.createIndex(expected.name).on(expected.table).columns([...expected.columns])
      const createSql = (expected.unique ? create.unique() : create).compile().sql
      if (named && servesAs(named, expected)) {
        items.push({ status: 'ok', subject })
        continue
      }
      const equivalent = info.indexes.find((index) => servesAs(index, expected))
      if (equivalent) {
        items.push({ status: 'ok', subject, detail: `as ${equivalent.name}` })
        continue
      }
      if (named) {
        const why = !named.valid
          ? 'is INVALID (an interrupted concurrent build)'
          : `covers (${named.columns.join(', ')})${named.unique ? ' unique' : ''}${named.partial ? ', partially' : ''} instead`
        items.push({ status: 'fail', subject, detail: why, fix: named.valid ? `drop it and recreate it: ${createSql}` : 'run npm run migrate:latest, which rebuilds it' })
        continue
      }
      const missingColumn = expected.columns.find((name) => !info.columns.some((c) => c.name === name))
      if (missingColumn) {
        const column = EXPECTED_TABLES.find((t) => t.name === expected.table)?.columns.find((c) => c.name === missingColumn)
        items.push({
          status: column?.missingSeverity ?? 'fail',
          subject,
          detail: `missing: the table has no column ${missingColumn}`,
          fix: `add ${missingColumn} first, then ${createSql}`,
        })
        continue
      }
      items.push({
        status: expected.severity ?? 'fail',
        subject,
        detail: expected.note ? `missing (${expected.note})` : 'missing',
        fix: restoreFix(context, createSql),
      })
    }
    return items
  },
}
