/**
 * Better Auth's own adapter test suites (`@better-auth/test-utils`), run through Better Auth's
 * Kysely adapter over a schema made only by this module's migrations, on every engine. Better
 * Auth runs the same suites over its Kysely adapter with `getMigrations(options).runMigrations()`
 * as the migration step (e2e/adapter/test/kysely-adapter/adapter.kysely.{pg,mysql}.test.ts in
 * better-auth/better-auth); here the step is `migrateToLatest(db, { authOptions, migrations })`,
 * with the migration that `generateAuthMigration(options)` makes for whatever the suite's
 * options add (plugin tables, additional fields), and never Better Auth's own migration.
 *
 * Every time a suite asks for a migration, the options it asks with (renamed models and fields,
 * uuid or serial ids, plugins, additional fields) get a fresh, empty namespace migrated by the
 * module from nothing: a PostgreSQL schema (the database's `search_path`) on PGlite and
 * PostgreSQL, a database on MySQL/MariaDB. The suites ask for the same options many times (two
 * dozen migrations per suite, a handful of distinct option sets), so a namespace is kept for its
 * options and reused, emptied, when the same options come back, instead of being migrated again:
 * without that, the migrations alone would take minutes on a 2-core machine.
 */
import { kyselyAdapter } from '@better-auth/kysely-adapter'
import {
  authFlowTestSuite,
  joinsTestSuite,
  normalTestSuite,
  numberIdTestSuite,
  testAdapter,
  transactionsTestSuite,
  uuidTestSuite,
} from '@better-auth/test-utils/adapter'
import type { BetterAuthOptions } from 'better-auth'
import { getAuthTables } from 'better-auth/db'
import { DummyDriver, Kysely, MysqlAdapter, MysqlIntrospector, MysqlQueryCompiler, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely'
import { afterAll, beforeAll, describe } from 'vitest'
import { generateAuthMigration, migrateToLatest, type AuthDatabase, type AuthOptions } from '../src/index.js'
import type { AppMigrations } from '../src/schema.js'
import { idStrategyOf } from '../src/auth-schema/shape.js'
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE } from '../src/migrator/history.js'
import { createTestDatabase, describeEachDatabase, type DatabaseKind, type TestDatabase } from './support/databases.js'

/** A database of the suite's, migrated by the module for one set of options. */
interface Namespace {
  readonly key: string
  /** PostgreSQL: the schema; MySQL: the database (which has a `TestDatabase` of its own). */
  readonly name: string
  readonly testDb?: TestDatabase
  /** The physical names of Better Auth's tables for its options: emptied when it is reused. */
  readonly tables: readonly string[]
}

/**
 * The namespaces of one engine, and the connection to the current one, which the adapter uses.
 * PGlite has one connection: its `search_path` is set directly. A PostgreSQL server's pool is
 * reopened after `alter database … set search_path`, which every new session then starts with.
 */
class Namespaces {
  readonly #kind: DatabaseKind
  readonly #namespaces = new Map<string, Namespace>()
  #base: TestDatabase | undefined
  #database: AuthDatabase | undefined
  #current: Namespace | undefined
  readonly #placeholder: Kysely<any>
  migrated = 0
  reused = 0

  constructor(kind: DatabaseKind) {
    this.#kind = kind
    this.#placeholder = placeholderDb(kind)
  }

  /** The current namespace's connection; before the first migration, one that runs nothing. */
  get db(): Kysely<any> {
    return this.#database?.db ?? this.#placeholder
  }

  async open(): Promise<void> {
    if (this.#kind === 'mysql') return
    this.#base = await createTestDatabase(this.#kind)
    this.#database = await this.#base.connect()
    if (this.#kind === 'postgres') {
      // A throw-away database: commits need not wait for the disk (every DDL statement commits).
      await sql`alter database ${sql.id(databaseName(this.#base))} set synchronous_commit = off`.execute(this.#database.db)
    }
  }

  async close(): Promise<void> {
    await this.#database?.db.destroy()
    this.#database = undefined
    for (const namespace of this.#namespaces.values()) await namespace.testDb?.drop()
    await this.#base?.drop()
  }

  /** Switches to a namespace migrated for `options`: made and migrated now, or reused, emptied. */
  async migrate(options: BetterAuthOptions): Promise<void> {
    const key = namespaceKey(options)
    const known = this.#namespaces.get(key)
    if (known) {
      await this.#switchTo(known)
      await this.#empty(known)
      this.reused++
      return
    }
    const namespace = await this.#create(key, options)
    await this.#switchTo(namespace)
    const authOptions = options as AuthOptions
    const generated = await generateAuthMigration(authOptions)
    const migrations: AppMigrations = generated ? { [generated.name]: { schema: generated.schema } } : {}
    await migrateToLatest(this.db, { authOptions, migrations })
    if (this.#kind !== 'mysql') {
      // Kysely's Migrator looks for its tables in every schema (its introspector lists them all),
      // and would not make them in the next namespace: this one's are renamed, as it never
      // migrates again (the suites only read and write Better Auth's tables).
      for (const table of [MIGRATION_TABLE, MIGRATION_LOCK_TABLE]) {
        await sql`alter table ${sql.id(table)} rename to ${sql.id(`${table}_done`)}`.execute(this.db)
      }
    }
    this.migrated++
  }

  async #create(key: string, options: BetterAuthOptions): Promise<Namespace> {
    const tables = [...new Set(Object.values(getAuthTables(options)).map((table) => table.modelName))]
    let namespace: Namespace
    if (this.#kind === 'mysql') {
      const testDb = await createTestDatabase('mysql')
      namespace = { key, name: databaseName(testDb), testDb, tables }
    } else {
      const name = `n${this.#namespaces.size + 1}`
      await sql`create schema ${sql.id(name)}`.execute(this.#database!.db)
      namespace = { key, name, tables }
    }
    this.#namespaces.set(key, namespace)
    return namespace
  }

  async #switchTo(namespace: Namespace): Promise<void> {
    if (this.#current === namespace) return
    if (this.#kind === 'pglite') {
      await sql`set search_path to ${sql.id(namespace.name)}`.execute(this.#database!.db)
    } else if (this.#kind === 'postgres') {
      await sql`alter database ${sql.id(databaseName(this.#base!))} set search_path to ${sql.id(namespace.name)}`.execute(this.#database!.db)
      await this.#database!.db.destroy()
      this.#database = await this.#base!.connect()
    } else {
      await this.#database?.db.destroy()
      this.#database = await namespace.testDb!.connect()
    }
    const { rows } = await sql<{ name: string }>`select ${this.#kind === 'mysql' ? sql`database()` : sql`current_schema()`} as name`.execute(this.db)
    if (rows[0]?.name !== namespace.name) throw new Error(`switched to ${namespace.name}, but the connection is in ${rows[0]?.name}`)
    this.#current = namespace
  }

  /** Empties Better Auth's tables, as a fresh migration would leave them. */
  async #empty(namespace: Namespace): Promise<void> {
    if (this.#kind === 'mysql') {
      await this.db.connection().execute(async (connection) => {
        await sql`set foreign_key_checks = 0`.execute(connection)
        try {
          for (const table of namespace.tables) await sql`delete from ${sql.id(table)}`.execute(connection)
        } finally {
          await sql`set foreign_key_checks = 1`.execute(connection)
        }
      })
    } else {
      await sql`truncate table ${sql.join(namespace.tables.map((table) => sql.id(table)))} cascade`.execute(this.db)
    }
  }
}

/**
 * What the module's migrations make from `options`: Better Auth's tables for them (names,
 * fields, types, references, indexes, defaults) and how ids are made. Options that differ in
 * nothing else (`advanced.database.joins`, `emailAndPassword`, a `generateId` function, which
 * function makes a default) share a namespace.
 */
function namespaceKey(options: BetterAuthOptions): string {
  const tables = getAuthTables(options)
  // A default made by a function is Better Auth's to make, never the database's (a date's is
  // `now`, whatever the function): which function it is changes nothing in the schema.
  return JSON.stringify({ ids: idStrategyOf(options as AuthOptions), tables }, (_key, value: unknown) => (typeof value === 'function' ? 'function' : value))
}

function databaseName(testDb: TestDatabase): string {
  return new URL(testDb.url).pathname.slice(1)
}

/** A Kysely that compiles for `kind` and runs nothing: the adapter the suites make while they are collected. */
function placeholderDb(kind: DatabaseKind): Kysely<any> {
  const mysql = kind === 'mysql'
  return new Kysely<any>({
    dialect: {
      createAdapter: () => (mysql ? new MysqlAdapter() : new PostgresAdapter()),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => (mysql ? new MysqlIntrospector(db) : new PostgresIntrospector(db)),
      createQueryCompiler: () => (mysql ? new MysqlQueryCompiler() : new PostgresQueryCompiler()),
    },
  })
}

/**
 * The suites that repeat the CRUD suite with other options run the tests that those options
 * change, to keep the file within its time (each set of options is a namespace migrated anew).
 * The joins suite (`advanced.database.joins`: the adapter joins in SQL) runs its join tests; the
 * rest of it is the CRUD suite again, over the same schema.
 */
const JOIN_TESTS = [
  'init - tests',
  'findOne - should find a model with join',
  'findOne - should select fields with one-to-one join',
  'findOne - should select fields with multiple joins',
  'findOne - should perform backwards joins',
  'findOne - should return an object for one-to-one joins',
  'findOne - should return an array for one-to-many joins',
  'findOne - should work with both one-to-one and one-to-many joins',
  'findOne - should return null for failed base model lookup that has joins',
  'findOne - should join a model with modified field name',
  'findMany - should find many models with join',
  'findMany - should find many with join and limit',
  'findMany - should find many with join and sortBy',
  'findMany - should find many with join, where, limit, and offset',
  'findMany - should find many with both one-to-one and one-to-many joins',
  'findOne - backwards join with modified field name (session base, users-table join)',
  'findOne - multiple joins should return result even when some joined tables have no matching rows',
  'findMany - should be able to perform a complex limited join',
  'findMany - should handle mixed joins correctly when some are missing',
]

/**
 * The uuid and number-id suites: ids the database makes (`uuid` with `gen_random_uuid()` or
 * `uuid()`, `serial` as an identity / auto_increment) and every reference copying their type:
 * the core tables' (a session of a user, joined), and a plugin table's (a unique one-to-one
 * reference, joined both ways). Their other tests are the CRUD suite's.
 */
const ID_TESTS = [
  'init - tests',
  'create - should create a model',
  'create - should always return an id',
  'findOne - should find a model',
  'findOne - should find a model using a reference field',
  'findOne - should find a model with join',
  'findMany - should find many models with join',
  'update - should update a model',
  'delete - should delete a model',
  'findMany - should find many with both one-to-one and one-to-many joins',
]

/** `disableTests` that runs `names` only. */
function onlyTests(names: readonly string[]): Record<string, boolean> {
  return { ALL: true, ...Object.fromEntries(names.map((name) => [name, false])) }
}

describeEachDatabase("Better Auth's adapter test suites over the module's migrations", (kind) => {
  const namespaces = new Namespaces(kind)
  beforeAll(() => namespaces.open())
  afterAll(() => namespaces.close())

  describe('Kysely adapter', async () => {
    const { execute } = await testAdapter({
      // As createAuth configures it: transactions on every engine.
      adapter: () => kyselyAdapter(namespaces.db, { type: kind === 'mysql' ? 'mysql' : 'postgres', transaction: true, debugLogs: { isRunningAdapterTests: true } }),
      prefixTests: kind,
      runMigrations: (options) => namespaces.migrate(options),
      async onFinish() {
        console.info(`[${kind}] ${namespaces.migrated} namespaces migrated, ${namespaces.reused} reused`)
      },
      tests: [
        normalTestSuite(),
        transactionsTestSuite(),
        authFlowTestSuite(),
        joinsTestSuite({ disableTests: onlyTests(JOIN_TESTS) }),
        uuidTestSuite({ disableTests: onlyTests(['create - should return a uuid', 'findOne - should find a model using a uuid', ...ID_TESTS]) }),
        numberIdTestSuite({ disableTests: onlyTests(['create - should return a number id', ...ID_TESTS]) }),
      ],
    })
    execute()
  })
})
