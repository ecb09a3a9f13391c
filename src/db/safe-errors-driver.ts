/**
 * A driver wrapper that turns a failure to connect into a {@link ConnectionError} whose one-line
 * message says what is wrong and what to do (see `explain-error.ts`).
 *
 * Connecting is where a bad `DATABASE_URL` shows up (a wrong host, port, password or database,
 * a server that never answers), and it happens inside whatever query comes first: Kysely's
 * Migrator, Better Auth, router-backend's own. Explaining it here, once, means every caller gets
 * the same readable error, and router-backend's boot logs never see a raw driver error. The
 * driver's error stays as `cause` for `DEBUG` output; drivers never put the password in it.
 * Errors of queries (as opposed to connections) pass through untouched: callers look at their
 * `code`.
 */
import type { DatabaseConnection, Dialect, DialectAdapter, Driver, Kysely, QueryCompiler, TransactionSettings } from 'kysely'
import { explainDatabaseError } from './explain-error.js'
import type { DatabaseTarget } from './url.js'

export function withSafeConnectErrors(dialect: Dialect, target: DatabaseTarget): Dialect {
  return {
    createAdapter: () => {
      const adapter = dialect.createAdapter()
      targets.set(adapter, target)
      return adapter
    },
    createDriver: () => new SafeConnectErrorsDriver(dialect.createDriver(), target),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db: Kysely<any>) => dialect.createIntrospector(db),
  }
}

/**
 * The target each opened database points at, keyed by its adapter: every Kysely instance
 * derived from it (`withPlugin`, `connection()`, transactions) shares that adapter, so
 * functions that receive only a `Kysely` (the migration API) can still explain its errors.
 */
const targets = new WeakMap<DialectAdapter, DatabaseTarget>()

/** Where `db` (opened by `connectDatabase`) points, or undefined for a Kysely made elsewhere. */
export function targetOf(db: Kysely<any>): DatabaseTarget | undefined {
  return targets.get(db.getExecutor().adapter)
}

/**
 * Rethrows `error` as {@link explainDatabaseError} would put it, when `db` was opened by
 * `connectDatabase`: the one-line, password-free form router-backend's boot logs should see.
 */
export function explainFor(db: Kysely<any>, error: unknown): unknown {
  const target = targetOf(db)
  return target ? explainDatabaseError(error, target) : error
}

class SafeConnectErrorsDriver implements Driver {
  readonly #inner: Driver
  readonly #target: DatabaseTarget

  constructor(inner: Driver, target: DatabaseTarget) {
    this.#inner = inner
    this.#target = target
    // Optional methods exist only when the wrapped driver has them (Kysely checks for them).
    if (inner.savepoint) this.savepoint = inner.savepoint.bind(inner)
    if (inner.rollbackToSavepoint) this.rollbackToSavepoint = inner.rollbackToSavepoint.bind(inner)
    if (inner.releaseSavepoint) this.releaseSavepoint = inner.releaseSavepoint.bind(inner)
  }

  savepoint?: (connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) => Promise<void>
  rollbackToSavepoint?: (connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) => Promise<void>
  releaseSavepoint?: (connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) => Promise<void>

  async init(): Promise<void> {
    try {
      await this.#inner.init()
    } catch (error) {
      throw explainDatabaseError(error, this.#target)
    }
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    try {
      return await this.#inner.acquireConnection()
    } catch (error) {
      throw explainDatabaseError(error, this.#target)
    }
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#inner.beginTransaction(connection, settings)
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.commitTransaction(connection)
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.rollbackTransaction(connection)
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection(connection)
  }

  destroy(): Promise<void> {
    return this.#inner.destroy()
  }
}
