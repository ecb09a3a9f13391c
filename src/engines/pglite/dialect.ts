/**
 * A Kysely dialect for PGlite, the embedded (WASM) PostgreSQL.
 *
 * Written by hand on purpose: Kysely ships a `PGliteDialect` only from 0.29, and 0.29 requires
 * Node 22, while this module must still run on Node 20 (Kysely 0.28 is the last line that does).
 * The community `kysely-pglite-dialect` pins PGlite below 0.5. This file follows Kysely's own
 * `SqliteDriver`: PGlite has one connection, so a mutex hands it to one caller at a time, and a
 * transaction is plain `begin`/`commit` on that connection while the caller holds it. When Node
 * 20 support is dropped, replace this file with `import { PGliteDialect } from 'kysely'`.
 */
import type { PGlite } from '@electric-sql/pglite'
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely'

export interface PGliteDialectConfig {
  /** An open PGlite instance, or a function that opens one when Kysely first needs it. */
  readonly pglite: PGlite | (() => Promise<PGlite>)
  /** Called after the instance is closed, e.g. to release a lock on its folder. */
  readonly onDestroy?: () => void
}

export class PGliteDialect implements Dialect {
  readonly #config: PGliteDialectConfig

  constructor(config: PGliteDialectConfig) {
    this.#config = config
  }

  createAdapter(): DialectAdapter {
    return new PGliteAdapter()
  }

  createDriver(): Driver {
    return new PGliteDriver(this.#config)
  }

  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new PostgresIntrospector(db)
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler()
  }
}

/** PostgreSQL semantics, one connection; the migration lock is the connection itself. */
/**
 * Marks PGlite's adapter for {@link engineOf} across copies of this module: an application's
 * migration file loaded by another loader (jiti) may hold a second copy, whose class is not ours.
 */
export const PGLITE_ADAPTER = Symbol.for('artorizer-auth-db.pglite-adapter')

export class PGliteAdapter extends PostgresAdapter {
  readonly [PGLITE_ADAPTER] = true

  override async acquireMigrationLock(): Promise<void> {
    // The Migrator holds PGlite's only connection from lock to unlock: nobody else can run.
  }

  override async releaseMigrationLock(): Promise<void> {}
}

class PGliteDriver implements Driver {
  readonly #config: PGliteDialectConfig
  readonly #mutex = new ConnectionMutex()
  #pglite: PGlite | undefined
  #connection: PGliteConnection | undefined

  constructor(config: PGliteDialectConfig) {
    this.#config = config
  }

  async init(): Promise<void> {
    const { pglite } = this.#config
    this.#pglite = typeof pglite === 'function' ? await pglite() : pglite
    await this.#pglite.waitReady
    this.#connection = new PGliteConnection(this.#pglite)
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#mutex.lock()
    return this.#connection!
  }

  async releaseConnection(): Promise<void> {
    this.#mutex.unlock()
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const modes = [
      settings.isolationLevel ? `isolation level ${settings.isolationLevel}` : undefined,
      settings.accessMode,
    ].filter(Boolean)
    await connection.executeQuery(CompiledQuery.raw(['begin', ...modes].join(' ')))
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'))
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'))
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint "${name}"`))
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to savepoint "${name}"`))
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint "${name}"`))
  }

  async destroy(): Promise<void> {
    if (this.#pglite && !this.#pglite.closed) await this.#pglite.close()
    this.#config.onDestroy?.()
  }
}

class PGliteConnection implements DatabaseConnection {
  readonly #pglite: PGlite

  constructor(pglite: PGlite) {
    this.#pglite = pglite
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.#pglite.query<R>(compiledQuery.sql, [...compiledQuery.parameters], {
      rowMode: 'object',
    })
    return {
      numAffectedRows: result.affectedRows != null ? BigInt(result.affectedRows) : undefined,
      rows: result.rows ?? [],
    }
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite does not support streaming queries')
  }
}

/** The same one-holder lock that Kysely's SqliteDriver uses for its single connection. */
class ConnectionMutex {
  #promise: Promise<void> | undefined
  #resolve: (() => void) | undefined

  async lock(): Promise<void> {
    while (this.#promise) await this.#promise
    this.#promise = new Promise((resolve) => {
      this.#resolve = resolve
    })
  }

  unlock(): void {
    const resolve = this.#resolve
    this.#promise = undefined
    this.#resolve = undefined
    resolve?.()
  }
}
