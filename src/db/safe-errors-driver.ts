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
 * `code`. The exception is a connection lost while open (the server ended the session, the
 * network dropped): that too becomes a one-line {@link ConnectionError}, whichever query or
 * transaction statement happened to be running (see `explainLostConnection`).
 */
import type { CompiledQuery, DatabaseConnection, Dialect, DialectAdapter, Driver, Kysely, QueryCompiler, QueryResult, TransactionSettings } from 'kysely'
import { explainDatabaseError, explainLostConnection } from './explain-error.js'
import type { DatabaseTarget } from '../database-url/url.js'

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
    const { savepoint, rollbackToSavepoint, releaseSavepoint } = inner
    if (savepoint) this.savepoint = (c, name, compile) => this.#lost(savepoint.call(inner, unwrap(c), name, compile))
    if (rollbackToSavepoint) this.rollbackToSavepoint = (c, name, compile) => this.#lost(rollbackToSavepoint.call(inner, unwrap(c), name, compile))
    if (releaseSavepoint) this.releaseSavepoint = (c, name, compile) => this.#lost(releaseSavepoint.call(inner, unwrap(c), name, compile))
  }

  /** Rethrows a lost connection's error explained; any other error as it is. */
  async #lost<T>(work: Promise<T>): Promise<T> {
    try {
      return await work
    } catch (error) {
      throw explainLostConnection(error, this.#target) ?? error
    }
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
    let connection: DatabaseConnection
    try {
      connection = await this.#inner.acquireConnection()
    } catch (error) {
      throw explainDatabaseError(error, this.#target)
    }
    return new LostConnectionExplained(connection, this.#target)
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#lost(this.#inner.beginTransaction(unwrap(connection), settings))
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#lost(this.#inner.commitTransaction(unwrap(connection)))
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#lost(this.#inner.rollbackTransaction(unwrap(connection)))
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection(unwrap(connection))
  }

  destroy(): Promise<void> {
    return this.#inner.destroy()
  }
}

/**
 * A driver's connection whose queries explain a lost connection. The wrapped driver gets its own
 * connection object back (`unwrap`): Kysely's drivers release and discard connections through
 * private symbols on it.
 */
class LostConnectionExplained implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    readonly target: DatabaseTarget,
  ) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return await this.inner.executeQuery<R>(compiledQuery)
    } catch (error) {
      throw explainLostConnection(error, this.target) ?? error
    }
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(compiledQuery, chunkSize)
    } catch (error) {
      throw explainLostConnection(error, this.target) ?? error
    }
  }
}

function unwrap(connection: DatabaseConnection): DatabaseConnection {
  return connection instanceof LostConnectionExplained ? connection.inner : connection
}
