/**
 * Planning: running migrations without changing anything, to see the SQL they would run.
 *
 * The migrations adapt to what they find (they adopt existing tables, skip what is there), so
 * their SQL can only be known by running their logic. A plan runs it against a Kysely instance
 * whose driver answers reads (catalog queries, `select`) from the real database, or with no
 * rows when there is none ("a fresh database"), and records every other statement instead of
 * executing it. The recipes in `online-ddl.ts` note what they would have created, so that a
 * later step (0002 reading `user.id`'s type) sees the schema the earlier steps would leave.
 *
 * Used by `migrate:latest --dry-run` (against the live database), `migrate:sql` (against no
 * database) and the drift checksums (the SQL each migration runs on a fresh database).
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import {
  CompiledQuery,
  DummyDriver,
  Kysely,
  MysqlAdapter,
  MysqlIntrospector,
  MysqlQueryCompiler,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  RawNode,
  type CreateTableNode,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type OperationNode,
  type QueryResult,
} from 'kysely'
import type { SqlDialect } from '../db/url.js'
import { BOOKKEEPING_TABLES } from './bookkeeping.js'
import type { ColumnInfo, ForeignKeyInfo, IndexInfo } from './introspect.js'

/** One statement a plan would run, and the migration it belongs to. */
export interface PlannedStatement {
  readonly migration: string | undefined
  readonly sql: string
}


/**
 * The statements recorded so far, and the schema objects the plan would have created, by table.
 * Only the recipes and the introspection functions use the latter.
 */
export class SchemaPlan {
  readonly statements: PlannedStatement[] = []
  migration: string | undefined
  readonly #createdTables = new Set<string>()
  readonly #columns = new Map<string, ColumnInfo[]>()
  readonly #indexes = new Map<string, IndexInfo[]>()
  readonly #foreignKeys = new Map<string, ForeignKeyInfo[]>()

  /** Records a statement, unless it only touches bookkeeping tables. */
  record(sql: string): void {
    if (BOOKKEEPING_TABLES.some((table) => new RegExp(`["\`]?\\b${table}\\b["\`]?`).test(sql))) return
    this.statements.push({ migration: this.migration, sql })
  }

  /** The statements of one migration. */
  statementsOf(migration: string): string[] {
    return this.statements.filter((s) => s.migration === migration).map((s) => s.sql)
  }

  noteTable(node: CreateTableNode): void {
    const table = node.table.table.identifier.name
    this.#createdTables.add(table)
    for (const column of node.columns) {
      this.noteColumn(table, { name: column.column.column.name, type: dataTypeText(column.dataType), nullable: !column.notNull && !column.primaryKey })
    }
    for (const constraint of node.constraints ?? []) {
      if (constraint.kind === 'UniqueConstraintNode') {
        const columns = constraint.columns.map((c) => c.column.name)
        this.noteIndex(table, { name: constraint.name?.name ?? columns.join('_'), columns, unique: true, primary: false, valid: true, partial: false })
      }
    }
  }

  noteColumn(table: string, column: { name: string; type: string; nullable: boolean }): void {
    const type = column.type.toLowerCase()
    const info: ColumnInfo = { ...column, type, baseType: type.split(/[ (]/)[0] ?? type, charset: null, collation: null }
    this.#columns.set(table, [...(this.#columns.get(table) ?? []), info])
  }

  noteIndex(table: string, index: IndexInfo): void {
    this.#indexes.set(table, [...(this.#indexes.get(table) ?? []), index])
  }

  noteForeignKey(table: string, foreignKey: ForeignKeyInfo): void {
    this.#foreignKeys.set(table, [...(this.#foreignKeys.get(table) ?? []), foreignKey])
  }

  createdTable(table: string): boolean {
    return this.#createdTables.has(table)
  }

  columnsOf(table: string): readonly ColumnInfo[] {
    return this.#columns.get(table) ?? []
  }

  indexesOf(table: string): readonly IndexInfo[] {
    return this.#indexes.get(table) ?? []
  }

  foreignKeysOf(table: string): readonly ForeignKeyInfo[] {
    return this.#foreignKeys.get(table) ?? []
  }
}

const activePlan = new AsyncLocalStorage<SchemaPlan>()

/** The plan being made in this async context, if any: recipes check it to note, not do. */
export function currentPlan(): SchemaPlan | undefined {
  return activePlan.getStore()
}

/** Runs `work` with `plan` active. */
export function withPlan<T>(plan: SchemaPlan, work: () => Promise<T>): Promise<T> {
  return activePlan.run(plan, work)
}

/**
 * A Kysely instance that plans instead of executing: reads go to `live` (or find nothing when
 * `live` is undefined), everything else is recorded in the active plan.
 */
export function planningDb(dialect: SqlDialect, live?: Kysely<any>): Kysely<any> {
  // Against a live database keep its adapter, so PGlite plans what PGlite would run.
  const adapter: DialectAdapter = live?.getExecutor().adapter ?? (dialect === 'mysql' ? new MysqlAdapter() : new PostgresAdapter())
  return new Kysely<any>({
    dialect: {
      createAdapter: () => adapter,
      createDriver: () => new PlanningDriver(live),
      createIntrospector: (db) => (dialect === 'mysql' ? new MysqlIntrospector(db) : new PostgresIntrospector(db)),
      createQueryCompiler: () => (dialect === 'mysql' ? new MysqlQueryCompiler() : new PostgresQueryCompiler()),
    },
  })
}

class PlanningDriver extends DummyDriver implements Driver {
  readonly #live: Kysely<any> | undefined

  constructor(live: Kysely<any> | undefined) {
    super()
    this.#live = live
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    return {
      executeQuery: async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
        if (isRead(query.sql)) {
          if (!this.#live) return { rows: [] }
          return this.#live.executeQuery<R>(CompiledQuery.raw(query.sql, [...query.parameters]))
        }
        currentPlan()?.record(inlineParameters(query))
        return { rows: [], numAffectedRows: 0n }
      },
      streamQuery: () => {
        throw new Error('a plan does not stream')
      },
    }
  }
}

function isRead(sql: string): boolean {
  return /^\s*(select|show|with|explain|values)\b/i.test(sql)
}

/** Writes parameters into the SQL as literals, for people to read (never executed). */
function inlineParameters(query: CompiledQuery): string {
  const literal = (value: unknown): string => {
    if (value === null || value === undefined) return 'null'
    if (typeof value === 'number' || typeof value === 'bigint') return String(value)
    if (typeof value === 'boolean') return value ? 'true' : 'false'
    if (value instanceof Date) return `'${value.toISOString()}'`
    return `'${String(value).replace(/'/g, "''")}'`
  }
  let position = 0
  const params = query.parameters
  const text = /\$\d/.test(query.sql)
    ? query.sql.replace(/\$(\d+)\b/g, (_, n: string) => literal(params[Number(n) - 1]))
    : query.sql.replace(/\?/g, () => literal(params[position++]))
  return text.replace(/\s+/g, ' ').trim()
}

/** The SQL text of a column's data type node: a type name, or raw SQL without parameters. */
function dataTypeText(node: OperationNode): string {
  if (RawNode.is(node)) return node.sqlFragments.join('')
  return (node as { dataType?: string }).dataType ?? 'unknown'
}
