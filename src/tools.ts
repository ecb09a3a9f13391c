/**
 * `artorizer-auth-db/tools`: the pieces the CLI is built from, for tools and advanced uses:
 * reading a `DATABASE_URL`, drawing index builds on a terminal, the SQL a migration runs, the
 * guards of a `down`, the migration list and its provider, the online-DDL steps, the verify
 * checks one by one, CSV input for linking, and sample data.
 */
export { DEFAULT_CONNECT_TIMEOUT_MS, type ConnectOptions } from './db/connect.js'
export { timeoutsFromEnv, type TimeoutsFromEnv } from './db/env.js'
export { parseDatabaseUrl, describeTarget, redactUrl, DEFAULT_PGLITE_DIR, type DatabaseTarget, type SqlDialect } from './database-url/url.js'
export { DEFAULT_LOCK_TIMEOUT_MS } from './engines/migration-lock.js'
export type { DdlProgressReporter, IndexBuild } from './engines/index-build-progress.js'
export { createTerminalProgress, type ProgressStream, type TerminalProgressOptions } from './cli/terminal-progress.js'
export { guardedProvider, type TimedMigrationStep, type WithMigrations } from './migrator/migrator.js'
export { MIGRATION_TABLE, migrationsUndoneBy } from './migrator/history.js'
export { migrationNames, pendingMigrations, type MigrateDownOptions, type MigrationState } from './migrator/run.js'
export { pendingMigrationSql, migrationSql, formatSql, type MigrationSql } from './migrator/migration-sql.js'
export { dataLostByDown, findDownBlockers, PROTECTED_TABLES, OWNER_COLUMNS, type DataLoss, type DownBlocker } from './migrator/down-guard.js'
export { migrationSet, undoSchemaMigration, runSchemaMigration, type MigrationSet } from './migrator/migration-set.js'
export { findSchemaConflicts } from './migrations/index.js'
export { ensureTable, ensureNullableColumn, ensureIndex, ensureForeignKey, undoCreations, type EnsureResult } from './ddl/apply.js'
export type { ColumnSpec, IndexSpec, ForeignKeySpec } from './engines/engine.js'
export { loadMigrationsFolder, migrationFiles, migrationsDir, DEFAULT_MIGRATIONS_DIR } from './app-migrations/folder.js'
export { loadAuthConfig, AUTH_CONFIG_FILES, type AuthConfig, type FindAuthConfigOptions } from './config/auth-config.js'
export { type GenerateAuthMigrationOptions, type GeneratedAuthMigration } from './auth-migration/generate.js'
export { authSchemaGap, type AuthSchemaGap } from './auth-schema/diff.js'
// A UsageError (the root exports that): the Kysely given carries CamelCasePlugin.
export { NamingPluginError } from './db/naming-plugins.js'
export { authOptionsStatus, type AuthOptionsStatus } from './migrator/run.js'
export { DEFAULT_AUTH_SHAPE, type AuthShape, type IdStrategy } from './model/auth-shape.js'
export {
  defaultChecks,
  type VerificationReport,
  type VerifyOptions,
  type CheckResult,
  type CheckItem,
  type ItemStatus,
  type VerifyCheck,
  type VerifyContext,
  type TableInfo,
} from './verify/index.js'
export { DEFAULT_LINK_BATCH_SIZE, MAX_LINK_BATCH_SIZE, type ArtworkAssignment, type LinkOptions, type LinkReport } from './artworks/link.js'
export { parseAssignmentsCsv } from './artworks/csv.js'
export type { LinkProgress } from './errors.js'
export { seedDatabase, SEED_USER, SEED_ARTWORKS, SeedRefusedError, type SeedOptions, type SeedReport } from './seed.js'
