/**
 * artorizer-auth-db: Better Auth's tables, Artorizer's artwork links, and the one way to migrate
 * them, for router-backend's boot and for the shell.
 *
 * The package root holds what a service calls: connect, migrate (and undo, and ask the status),
 * Better Auth over the same database, verify, generate the migration Better Auth's options need,
 * link artworks to their owners, and every error those throw. Two subpaths hold the rest:
 * `artorizer-auth-db/schema` for the application's schema-data migrations and the database's
 * table types, `artorizer-auth-db/tools` for tools, advanced uses and the types of the calls' other
 * options and results (see docs/router-backend.md).
 */
export { connectDatabase, type AuthDatabase } from './db/connect.js'
export { explainDatabaseError } from './db/explain-error.js'
export { createMigrator, type MigratorOptions, type MigrationStep } from './migrator/migrator.js'
export type { DownTarget } from './migrator/history.js'
export { migrateToLatest, migrateDown, migrationStatus, type MigrateOptions } from './migrator/run.js'
export { loadMigrationsFolder } from './app-migrations/folder.js'
export { createAuth, type AuthOptions } from './auth.js'
export { snakeCase } from './auth-schema/snake-case.js'
export { generateAuthMigration } from './auth-migration/generate.js'
export { verifyDatabase } from './verify/index.js'
export { linkArtworks } from './artworks/link.js'
// Every error the calls above throw. They all extend AuthDbError, whose message is one line.
export {
  AuthDbError,
  UsageError,
  ConnectionError,
  SchemaConflictError,
  MigrationFailedError,
  PendingMigrationsError,
  StandbyError,
  ServerStoppedAnsweringError,
  LinkInterruptedError,
} from './errors.js'
export { DataLossError, DownBlockedError } from './migrator/down-guard.js'
export { MigrationLockTimeoutError } from './engines/migration-lock.js'
export { MigrationLockLostError } from './engines/postgres/migration-lock.js'
export { LockTimeoutError } from './engines/lock-wait.js'
export { UnsupportedServerError } from './engines/unsupported-servers.js'
export { AuthSchemaMissingError } from './auth-schema/needs.js'
export { UnsafeAuthChangeError } from './auth-schema/diff.js'
export { AuthShapeChangedError } from './migrator/auth-shape-state.js'
