/**
 * `artorizer-auth-db/schema`: the schema API a migration file needs, and nothing that loads a
 * driver or Better Auth. What `migrate:make` writes imports from here.
 *
 * Minimal stand-in in this branch (the subpath export is being made elsewhere; that version wins).
 */
export {
  defineSchema,
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
} from './schema/model.js'
