/**
 * Where a DDL recipe's statements go: to the database, or into a plan.
 *
 * The engines' recipes (`src/engines/<name>/online-ddl.ts`) send every statement through a
 * runner. Running a step uses {@link executingRunner}; planning it (`--dry-run`, `migrate:sql`,
 * the drift checksums) uses {@link recordingRunner}, which records the same statements instead.
 * So the SQL a plan prints is, by construction, the SQL the step runs: there is no second
 * description of a recipe to keep in step, and nothing to classify after the fact.
 */
import { CompiledQuery, type Kysely, type RawBuilder } from 'kysely'
import { announceIndexBuild } from './index-build-progress.js'

/** A statement: raw SQL, or a query builder already compiled. */
export type DdlStatement = RawBuilder<unknown> | CompiledQuery

export interface DdlRunner {
  /** One connection, so that session settings apply to the statements they guard. */
  readonly db: Kysely<any>
  /**
   * Runs one statement (or records it, in a plan). `guard` marks a statement that only bounds
   * or shapes the next ones (a lock wait, a transaction around them, a parallelism setting):
   * printed and run like any other, but not part of the migration's checksum, which
   * fingerprints what the migration does to the schema, not how carefully.
   */
  run(statement: DdlStatement, kind?: 'guard'): Promise<void>
  /**
   * The first value of the first row of a read (a session setting to restore afterwards), or
   * undefined in a plan, where nothing is read: the recipe then restores the server's default.
   */
  read(query: RawBuilder<unknown>): Promise<unknown>
  /** Runs a safety check on live data before a recipe acts on it (a plan skips it). */
  guard(check: (db: Kysely<any>) => Promise<void>): Promise<void>
  /** Tells a progress watcher that an index build starts; returns its end (nothing in a plan). */
  indexBuild(target: { readonly table: string; readonly index: string }): Promise<() => void>
}

function compiled(statement: DdlStatement, db: Kysely<any>): CompiledQuery {
  return 'sql' in statement && 'parameters' in statement && !('isRawBuilder' in statement) ? statement : (statement as RawBuilder<unknown>).compile(db)
}

/** Runs the statements on `conn` (a single connection). */
export function executingRunner(conn: Kysely<any>): DdlRunner {
  return {
    db: conn,
    run: async (statement) => {
      await conn.executeQuery(compiled(statement, conn))
    },
    read: async (query) => {
      const { rows } = await query.execute(conn)
      const row = rows[0] as Record<string, unknown> | undefined
      return row === undefined ? undefined : Object.values(row)[0]
    },
    guard: (check) => check(conn),
    indexBuild: (target) => announceIndexBuild(conn, target),
  }
}

/**
 * Records the statements, parameters written in as literals, into `statements`, and those that
 * are not guards into `schemaStatements` too. `db` is only used to compile (for `migrate:sql`, a
 * Kysely with no database behind it). Reads of session settings go to `live` when planning for
 * a live database (`--dry-run`), so that the plan restores the values the run will restore.
 */
export function recordingRunner(db: Kysely<any>, statements: string[], live?: Kysely<any>, schemaStatements?: string[]): DdlRunner {
  return {
    db,
    run: async (statement, kind) => {
      const text = inlineParameters(compiled(statement, db))
      statements.push(text)
      if (kind !== 'guard') schemaStatements?.push(text)
    },
    read: async (query) => (live ? executingRunner(live).read(query) : undefined),
    guard: async () => {},
    indexBuild: async () => () => {},
  }
}

/** Writes parameters into the SQL as literals, for people to read (never executed). */
export function inlineParameters(query: CompiledQuery): string {
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
