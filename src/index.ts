/**
 * artorizer-auth-db: Better Auth's tables, Artorizer's artwork links, and the one way to migrate
 * them, for router-backend's boot and for the shell.
 */
export { connectDatabase, DEFAULT_CONNECT_TIMEOUT_MS, type AuthDatabase, type ConnectOptions } from './db/connect.js'
export { parseDatabaseUrl, describeTarget, redactUrl, DEFAULT_PGLITE_DIR, type DatabaseTarget, type SqlDialect } from './db/url.js'
export { explainDatabaseError } from './db/explain-error.js'
export { DEFAULT_LOCK_TIMEOUT_MS, MigrationLockTimeoutError } from './engines/migration-lock.js'
export { createTerminalProgress, type ProgressStream, type TerminalProgressOptions } from './cli/terminal-progress.js'
export type { DdlProgressReporter, IndexBuild } from './schema/ddl-progress.js'
export type * from './db/schema.js'
export {
  createMigrator,
  migrateToLatest,
  migrateDown,
  migrationStatus,
  pendingMigrations,
  migrationNames,
  migrationsUndoneBy,
  MIGRATION_TABLE,
  type MigrateOptions,
  type MigrateDownOptions,
  type MigrationStep,
  type MigrationState,
  type DownTarget,
} from './migrate.js'
export { planMigrations, migrationSql, formatSql, type MigrationSql } from './migration-sql.js'
export { dataLostByDown, DataLossError, PROTECTED_TABLES, OWNER_COLUMNS, type DataLoss } from './down-guard.js'
export { timeoutsFromEnv, type TimeoutsFromEnv } from './db/env.js'
export { migrations, migrationProvider, findSchemaConflicts } from './migrations/index.js'
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
