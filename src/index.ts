/**
 * artorizer-auth-db: Better Auth's tables, Artorizer's artwork links, and the one way to migrate
 * them, for router-backend's boot and for the shell.
 */
export { connectDatabase, DEFAULT_CONNECT_TIMEOUT_MS, type AuthDatabase, type ConnectOptions } from './db/connect.js'
export { parseDatabaseUrl, describeTarget, redactUrl, DEFAULT_PGLITE_DIR, type DatabaseTarget, type SqlDialect } from './database-url/url.js'
export { explainDatabaseError } from './db/explain-error.js'
export { DEFAULT_LOCK_TIMEOUT_MS, MigrationLockTimeoutError } from './engines/migration-lock.js'
export { createTerminalProgress, type ProgressStream, type TerminalProgressOptions } from './cli/terminal-progress.js'
export type { DdlProgressReporter, IndexBuild } from './engines/index-build-progress.js'
export type * from './model/database.js'
export {
  createMigrator,
  migrateToLatest,
  migrateDown,
  migrationStatus,
  pendingMigrations,
  migrationNames,
  migrationsUndoneBy,
  MIGRATION_TABLE,
  guardedProvider,
  type MigratorOptions,
  type MigrateOptions,
  type MigrateDownOptions,
  type MigrationStep,
  type TimedMigrationStep,
  type MigrationState,
  type DownTarget,
  type WithMigrations,
} from './migrator/run.js'
export { planMigrations, migrationSql, formatSql, type MigrationSql } from './migrator/migration-sql.js'
export { dataLostByDown, DataLossError, findDownBlockers, DownBlockedError, PROTECTED_TABLES, OWNER_COLUMNS, type DataLoss, type DownBlocker } from './migrator/down-guard.js'
export { timeoutsFromEnv, type TimeoutsFromEnv } from './db/env.js'
export { findSchemaConflicts } from './migrations/index.js'
export type { Kysely } from 'kysely'
// The schema API, for the application's own migrations (see "Your own migrations" in the README).
export {
  defineSchema,
  foldSchemas,
  type MigrationSchema,
  type TableModel,
  type ColumnModel,
  type ColumnKind,
  type ColumnType,
  type ColumnRef,
  type ColumnDefault,
  type AddedColumnModel,
  type IndexModel,
  type ForeignKeyModel,
  type Adoption,
  type FoldedSchema,
} from './model/migration-schema.js'
export { ensureTable, ensureNullableColumn, ensureIndex, ensureForeignKey, undoCreations, type EnsureResult } from './ddl/apply.js'
export type { ColumnSpec, IndexSpec, ForeignKeySpec } from './engines/engine.js'
export {
  migrationSet,
  undoSchemaMigration,
  runSchemaMigration,
  type AppMigration,
  type AppMigrations,
  type SchemaDataMigration,
  type PlainMigration,
  type MigrationSet,
} from './migrator/migration-set.js'
export { loadMigrationsFolder, migrationFiles, migrationsDir, DEFAULT_MIGRATIONS_DIR } from './app-migrations/folder.js'
export { loadAuthConfig, AUTH_CONFIG_FILES, type AuthConfig, type FindAuthConfigOptions } from './config/auth-config.js'
export { generateAuthMigration, type GenerateAuthMigrationOptions, type GeneratedAuthMigration } from './auth-migration/generate.js'
export { authSchemaGap, UnsafeAuthChangeError, type AuthSchemaGap } from './auth-schema/diff.js'
export { AuthSchemaMissingError } from './auth-schema/needs.js'
export { createAuth, type AuthOptions } from './auth.js'
export {
  verifyDatabase,
  defaultChecks,
  type VerifyOptions,
  type VerificationReport,
  type CheckResult,
  type CheckItem,
  type ItemStatus,
  type VerifyCheck,
  type VerifyContext,
  type TableInfo,
} from './verify/index.js'
export {
  linkArtworks,
  DEFAULT_LINK_BATCH_SIZE,
  MAX_LINK_BATCH_SIZE,
  type ArtworkAssignment,
  type LinkOptions,
  type LinkReport,
} from './artworks/link.js'
export { parseAssignmentsCsv, parseCsv, type CsvRecord } from './artworks/csv.js'
export { seedDatabase, SEED_USER, SEED_ARTWORKS, SeedRefusedError, type SeedOptions, type SeedReport } from './seed.js'
export {
  AuthDbError,
  UsageError,
  ConnectionError,
  SchemaConflictError,
  MigrationFailedError,
  PendingMigrationsError,
  LinkInterruptedError,
  type LinkProgress,
} from './errors.js'
