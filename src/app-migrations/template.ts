/**
 * The migration `migrate:make <name>` writes: a typed schema-data migration using the module's
 * exported schema API, which as written applies and undoes cleanly on every engine. It shows the
 * four things an application's migration usually does, all online (no long lock, no table copy,
 * writers keep writing to a large `artwork_jobs`): a new table, a nullable column, an index, and
 * a foreign key to `user.id` in exactly that column's type (and, on MySQL, collation).
 */
import { renderSchemaMigration } from './render.js'
import { defineSchema } from '../model/migration-schema.js'

/** The file text of a new migration called `name` (a full name, with its prefix). */
export function migrationTemplate(fullName: string, shortName: string): string {
  const table = shortName.toLowerCase()
  const schema = defineSchema({
    tables: [
      {
        name: table,
        adoption: 'legacy',
        columns: [
          { name: 'id', type: 'bigint', nullable: false, primaryKey: true, generated: true },
          { name: 'user_id', type: { sameAs: { table: 'user', column: 'id' } }, nullable: false },
          { name: 'title', type: 'indexedString', nullable: false },
          { name: 'note', type: 'text', nullable: true },
          { name: 'created_at', type: 'timestamp', nullable: false, default: { now: true } },
        ],
      },
    ],
    columns: [{ table, column: { name: 'archived_at', type: 'timestamp', nullable: true } }],
    indexes: [{ table, name: `${table}_user_id_created_at_idx`, columns: ['user_id', 'created_at'] }],
    foreignKeys: [{ table, name: `${table}_user_id_fk`, column: 'user_id', references: { table: 'user', column: 'id' }, onDelete: 'cascade' }],
  })
  return renderSchemaMigration({
    name: fullName,
    schema,
    summary: [
      `${fullName}: describe what this migration is for.`,
      '',
      'Schema as data (see docs/your-migrations.md of artorizer-auth-db). The planner runs it',
      'online on PostgreSQL, MySQL/MariaDB and PGlite: tables are created, columns added without a table',
      'rewrite (`columns`, nullable or NOT NULL with a default), indexes built CONCURRENTLY / INPLACE,',
      'foreign keys added NOT VALID then validated. `sameAs` gives a column exactly another column\'s type',
      '(and MySQL collation): use it for every reference to user.id.',
      '',
      'As written it creates the table below; replace it with yours. For example, a new indexed column',
      'on artwork_jobs is',
      "  columns: [{ table: 'artwork_jobs', column: { name: 'license', type: 'indexedString', nullable: true } }],",
      "  indexes: [{ table: 'artwork_jobs', name: 'artwork_jobs_license_idx', columns: ['license'] }],",
      '',
      'Kinds: key, indexedString, text, shortString, boolean, timestamp, bigint, integer, json.',
      'Once applied, a migration is frozen: change the schema with a new one.',
    ],
  })
}
