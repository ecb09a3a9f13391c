/**
 * `artorizer-auth-db/schema`: what the application's own migrations are written with, and the
 * tables the migrations make, as Kysely types.
 *
 * A schema-data migration (what `migrate:make` writes) exports `schema = defineSchema({ ... })`:
 * tables, columns, indexes and foreign keys as data, planned and run online like the module's
 * own (see docs/your-migrations.md). A plain one exports `up(db)` and `down(db)`.
 */
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
export type { AppMigration, AppMigrations, SchemaDataMigration, PlainMigration } from './migrator/migration-set.js'
export type * from './model/database.js'
export type { Kysely } from 'kysely'
