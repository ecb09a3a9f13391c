/**
 * What every database engine implements: the one place each engine's differences live.
 *
 * Kysely's model: a dialect folder per engine (`src/dialect/<name>/`) with its adapter, driver
 * and introspector. Here each engine (`postgres/`, `mysql/` for MySQL 8 and MariaDB, `pglite/`
 * extending `postgres/`) supplies its column types, its catalog reads, its online-DDL recipes,
 * its migration lock and its error rules. Code outside `src/engines/` asks the engine of a
 * `Kysely` instance ({@link engineOf}) and never branches on which engine it is.
 */
import { sql, type Dialect, type DialectAdapter, type Kysely, type QueryCompiler, type RawBuilder } from 'kysely'
import type { DatabaseTarget, SqlDialect } from '../database-url/url.js'
import type { NetworkMeaning } from './network-errors.js'
import type { ColumnTypes, DataTypeExpression } from '../model/type-rules.js'
import type { CatalogType, ColumnInfo, ForeignKeyInfo, IndexInfo } from '../model/catalog-info.js'
import type { ColumnKind } from '../model/migration-schema.js'
import type { DdlRunner } from './ddl-runner.js'

export type EngineName = 'postgres' | 'mysql' | 'pglite'

/** Read-only questions about the live schema, for the current schema or database only. */
export interface CatalogReader {
  /** Whether a base table of that name exists (a view does not count). */
  tableExists(db: Kysely<any>, table: string): Promise<boolean>
  viewExists(db: Kysely<any>, view: string): Promise<boolean>
  listTables(db: Kysely<any>): Promise<string[]>
  listColumns(db: Kysely<any>, table: string): Promise<ColumnInfo[]>
  listIndexes(db: Kysely<any>, table: string): Promise<IndexInfo[]>
  listForeignKeys(db: Kysely<any>, table: string): Promise<ForeignKeyInfo[]>
  /** The tables whose foreign keys reference `table`. */
  listReferencingTables(db: Kysely<any>, table: string): Promise<string[]>
  /** The views that read `table` (or, given, its `column`): dropping it would break them, or be refused. */
  listViewsUsing(db: Kysely<any>, table: string, column?: string): Promise<string[]>
  listColumnDefaults(db: Kysely<any>, table: string): Promise<ColumnDefaultInfo[]>
  /** MySQL's storage engine and default collation; undefined where tables have none. */
  tableStorage(db: Kysely<any>, table: string): Promise<{ engine: string; collation: string } | undefined>
  serverVersion(db: Kysely<any>): Promise<string>
  /** The server's id of this session, for progress watchers; undefined where there is none. */
  sessionId(db: Kysely<any>): Promise<number | undefined>
  /** One line of what the server says about the index build of session `sessionId`, if anything. */
  indexBuildProgress(db: Kysely<any>, sessionId: number | undefined): Promise<string | undefined>
}

/** What a column gets when an insert leaves it out. */
export interface ColumnDefaultInfo {
  readonly name: string
  /**
   * The default as SQL, as the server prints it (`CURRENT_TIMESTAMP`, `'pending'::text`,
   * `current_timestamp(3)`), or null when there is none. MariaDB quotes string literals;
   * MySQL 8 prints them bare.
   */
  readonly default: string | null
  /** How the server generates the value: `identity (by default)`, `identity (always)` or `auto_increment`. */
  readonly generated: string | null
}

export interface IndexSpec {
  readonly table: string
  readonly name: string
  readonly columns: readonly string[]
  readonly unique?: boolean
  /**
   * The table was created by the same migration, in the same run: nobody else has written a
   * row to it or holds a lock on it, so the index is built plainly. An online build
   * (`CONCURRENTLY` on PostgreSQL) would wait for every older transaction in the database for
   * nothing. Set by the planner only; a resumed run sees the table already there and builds online.
   */
  readonly onNewTable?: boolean
}

export interface ForeignKeySpec {
  readonly table: string
  readonly name: string
  readonly column: string
  readonly referencedTable: string
  readonly referencedColumn: string
}

export interface ColumnSpec {
  readonly table: string
  readonly column: string
  /** The full SQL type, e.g. read from the referenced column so that both match exactly. */
  readonly type: DataTypeExpression
  /**
   * NOT NULL (the column of a table known to be empty, or one with a `default`); nullable when
   * unset. With a constant default the change stays metadata only on every engine.
   */
  readonly notNull?: boolean
  /** The column's default, as SQL (`'free'`, `false`, `CURRENT_TIMESTAMP`). */
  readonly default?: RawBuilder<unknown>
}

/** `null`, or `[default <value>] not null`: what follows a new column's type. */
export function columnTail(spec: ColumnSpec): RawBuilder<unknown> {
  const withDefault = spec.default ? sql`default ${spec.default} ` : sql``
  if (spec.notNull) return sql`${withDefault}not null`
  return spec.default ? sql`${withDefault}null` : sql`null`
}

export interface ColumnTypeChange {
  readonly table: string
  readonly column: string
  /** The new full SQL type. The caller has checked that every value keeps its exact content. */
  readonly type: DataTypeExpression
  /** Restated on MySQL, whose `MODIFY COLUMN` replaces the whole definition. */
  readonly nullable: boolean
}

/**
 * How the engine changes a table that may be large and busy. Each recipe sends its statements
 * through a {@link DdlRunner}, which runs them or, for a plan, records them: the SQL printed is
 * the SQL run. Recipes act; deciding whether to act (looking at the catalog) is the caller's.
 */
export interface DdlRecipes {
  /** Adds a column (nullable unless `spec.notNull`) without rewriting or long-locking the table. */
  addNullableColumn(r: DdlRunner, spec: ColumnSpec): Promise<void>
  createIndex(r: DdlRunner, spec: IndexSpec): Promise<void>
  /** Adds a named `ON DELETE CASCADE` foreign key, validated. */
  addForeignKey(r: DdlRunner, spec: ForeignKeySpec): Promise<void>
  validateForeignKey(r: DdlRunner, table: string, name: string): Promise<void>
  changeColumnType(r: DdlRunner, change: ColumnTypeChange): Promise<void>
  dropIndex(r: DdlRunner, table: string, name: string): Promise<void>
  dropForeignKey(r: DdlRunner, table: string, name: string): Promise<void>
  dropColumn(r: DdlRunner, table: string, column: string): Promise<void>
  /** Drops a table the module created (`migrate:down`), waiting for its lock as the other recipes do. */
  dropTable(r: DdlRunner, table: string): Promise<void>
  /**
   * Renames a table and its columns in place (metadata only), and makes the view that keeps its
   * old names readable and writable: as one transaction where DDL has them (PostgreSQL), so
   * that old readers never see the table missing; else statement by statement.
   */
  renameTable(r: DdlRunner, spec: TableRenameSpec): Promise<void>
  dropView(r: DdlRunner, view: string): Promise<void>
  /**
   * Gives a column of an empty table another type (an id, or a reference to one, when Better
   * Auth's ids change type), with how the database now makes its values. Refuses, changing
   * nothing, when the table turns out to hold a row.
   */
  retypeEmptyColumn(r: DdlRunner, spec: EmptyColumnRetypeSpec): Promise<void>
}

/** How the database fills an id: a random uuid default, an identity / auto-increment, or not at all. */
export type IdMaking = 'randomUuid' | 'generated' | 'none'

/** A column of an empty table given another type (see {@link DdlRecipes.retypeEmptyColumn}). */
export interface EmptyColumnRetypeSpec {
  readonly table: string
  readonly column: string
  readonly type: DataTypeExpression
  readonly nullable: boolean
  /** How the database made its values before (undone first), and how it makes them now. */
  readonly madeBefore: IdMaking
  readonly made: IdMaking
}

/** A core table moved to its new names: what is left of the move to do (the caller looked). */
export interface TableRenameSpec {
  /** Its name now, and its new one (the same when only columns are renamed). */
  readonly from: string
  readonly to: string
  /** Columns still to rename, by their old names. */
  readonly columns: readonly { readonly from: string; readonly to: string }[]
  /** A view under the old name, each of the table's columns (new name) shown under its old name. */
  readonly view?: { readonly name: string; readonly columns: readonly { readonly column: string; readonly as: string }[] }
}

/**
 * What a driver's error means for the person running the command, whatever the engine's own
 * code for it: `src/db/explain-error.ts` words each meaning once, and the engines map their
 * codes onto them.
 */
export type ErrorMeaning =
  | NetworkMeaning
  /** The server refused the user or the password. */
  | 'credentials-refused'
  /** The user may not use the database the URL names. */
  | 'database-access-denied'
  /** The database the URL names does not exist. */
  | 'database-missing'
  /** The user lacks a privilege a statement needs. */
  | 'privilege-missing'
  /** The server, or the session, accepts no writes (a replica, read-only mode). */
  | 'read-only'
  /** The URL requires TLS and the server does not offer it: refused, never plaintext. */
  | 'tls-unsupported'

/** Error codes, read the engine's way. */
export interface ErrorRules {
  isLockTimeout(error: unknown): boolean
  isUniqueViolation(error: unknown): boolean
  isMissingTable(error: unknown): boolean
  /**
   * What an error means (see {@link ErrorMeaning}), or undefined when it is a query's own error
   * that keeps its driver code for the caller. Node's socket codes are included.
   */
  meaningOf(error: unknown): ErrorMeaning | undefined
  /**
   * Whether an error of a query on an open connection means that connection is dead: the server
   * ended the session (`pg_terminate_backend`, `KILL`, a restart or failover) or the network
   * dropped it. The pool must not hand that connection out again.
   */
  isLostConnection(error: unknown): boolean
  /**
   * Whether a read-only statement failed only because the server aborted it, so that running it
   * again is safe and may succeed: on a Galera node a replicated DDL statement aborts the local
   * statements holding a table it needs, plain reads included (see `aborted-reads.ts`).
   */
  isAbortedRead(error: unknown): boolean
}

/**
 * Whether the server is a standby, read once for a message. `address` names the host (as the
 * URL does) where the engine knows it.
 */
export type ReplicationState =
  | { readonly standby: false; readonly address?: string }
  | {
      readonly standby: true
      readonly address?: string
      /** WAL received but not replayed yet, in bytes; null when not streaming (archive recovery). */
      readonly replayBehindBytes: number | null
      /** How long ago the last replayed transaction committed on the primary; null before any. */
      readonly lastReplayAgeMs: number | null
      /** Replay paused (`pg_wal_replay_pause()`). */
      readonly paused: boolean
    }

export interface MigrationLockOptions {
  /** Give up waiting for the lock after this many milliseconds. */
  readonly lockTimeoutMs?: number
  /**
   * End a run whose server answers nothing for this many milliseconds (default 15000): a
   * crashed, failed-over, partitioned or frozen primary. PostgreSQL (the lock's heartbeat).
   */
  readonly answerTimeoutMs?: number
}

/** How to open a connection pool: the migration lock's options and the connect timeout. */
export interface DialectOptions extends MigrationLockOptions, EmbeddedDatabaseOptions {
  readonly connectTimeoutMs: number
}

/** What creating an embedded database (a PGlite folder) involves, as it happens. */
export interface DatabaseCreation {
  /** `template`: the machine's initialised data folder is being made (once); `database`: the folder is being filled. */
  readonly phase: 'template' | 'database'
  readonly dataDir: string
  /** The template folder copied from (or being made). */
  readonly template?: string
}

/** Options that only an engine that creates its database itself (PGlite) reads. */
export interface EmbeddedDatabaseOptions {
  /**
   * `false`: a database that does not exist yet is an error (read-only commands), instead of
   * being created. Default `true`.
   */
  readonly createIfMissing?: boolean
  /** Told when the database is being created, e.g. to say so on the command line. */
  readonly onCreateDatabase?: (creation: DatabaseCreation) => void
}

export interface Engine {
  readonly name: EngineName
  /** The SQL family it speaks: PGlite speaks PostgreSQL. */
  readonly sqlDialect: SqlDialect
  readonly columnTypes: ColumnTypes
  /** How each column kind reads back from the catalog once created. */
  readonly catalogTypes: Readonly<Record<ColumnKind, CatalogType>>
  /** A column of `kind` as the catalog reads it back once this engine created it. */
  catalogColumn(name: string, kind: ColumnKind, nullable: boolean): ColumnInfo
  /**
   * Whether an index cannot cover an unbounded string column whole (MySQL: `text` has no fixed
   * width), so that such a column must become `varchar(255)` before its index is built.
   */
  readonly indexNeedsBoundedString: boolean
  readonly catalog: CatalogReader
  readonly ddl: DdlRecipes
  readonly errors: ErrorRules
  /** What a reader of `migrate:sql`'s files must know to run them on this engine (one SQL comment line). */
  readonly sqlScriptNote: string
  /**
   * This engine as the server behind `db` needs it: the MySQL engine answers MariaDB's flavour
   * for MariaDB (whose byte-exact collation has another name), every other engine itself. The
   * catalog snapshot asks once, so plans and `db:verify` use the server's own types.
   */
  forServer(db: Kysely<any>): Promise<Engine>
  /** The server's port when a URL names none; undefined for an embedded engine. */
  readonly defaultPort: number | undefined
  /** Kysely's dialect for `target`, importing its driver only now. */
  createDialect(target: DatabaseTarget, options: DialectOptions): Promise<Dialect>
  /**
   * Whether the server behind `db` is a standby, and how far its replay is behind. One query;
   * engines without standbys the module can recognise (MySQL/MariaDB replicas, PGlite) say
   * `{ standby: false }`.
   */
  replication(db: Kysely<any>): Promise<ReplicationState>
  /** Kysely's adapter for this engine, with the module's migration lock. */
  createAdapter(options?: MigrationLockOptions): DialectAdapter
  createQueryCompiler(): QueryCompiler
}
