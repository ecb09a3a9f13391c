/**
 * The tables that only record the module's own state: Kysely's migration tables, the ledger of
 * what each migration created, the migrations' checksums, and the shape Better Auth's core tables
 * were made in. They are not part of the schema the migrations build: plans leave their
 * statements out, and schema comparisons skip them.
 */
export const BOOKKEEPING_TABLES: readonly string[] = [
  'kysely_migration',
  'kysely_migration_lock',
  'artorizer_schema_objects',
  'artorizer_migration_checksums',
  'artorizer_auth_shape',
]

export function isBookkeepingTable(table: string): boolean {
  return BOOKKEEPING_TABLES.includes(table)
}
