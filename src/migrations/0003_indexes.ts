/**
 * Indexes for the queries Better Auth and router-backend run most: an OAuth account by
 * provider and account id, a verification by identifier, and a user's artworks newest first.
 * Built online (see `schema/online-ddl.ts`), since `artwork_jobs` may hold millions of rows.
 * Indexes that keys need (`user.email`, `session.token`, the `userId` columns) come with their
 * keys in 0001 and 0002.
 */
import type { Kysely } from 'kysely'
import { findColumn } from '../schema/introspect.js'
import { ensureIndex, isPlainlyIndexable, undoCreations, type IndexSpec } from '../schema/online-ddl.js'

const MIGRATION = '0003_indexes'

const INDEXES: readonly IndexSpec[] = [
  { table: 'account', name: 'account_providerId_accountId_idx', columns: ['providerId', 'accountId'] },
  { table: 'verification', name: 'verification_identifier_idx', columns: ['identifier'] },
  { table: 'artwork_jobs', name: 'artwork_jobs_user_id_created_at_idx', columns: ['user_id', 'created_at'] },
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const index of INDEXES) {
    // A legacy artwork_jobs without created_at keeps only its user_id index; db:verify reports it.
    // So does an adopted MySQL account whose ids are TEXT (made by `better-auth migrate`): a
    // plain index on TEXT fails there ("Specified key was too long" / "used in key
    // specification without a key length"), and the migration with it.
    const columns = await Promise.all(index.columns.map((c) => findColumn(db, index.table, c)))
    if (columns.every((column) => column && isPlainlyIndexable(db, column))) await ensureIndex(db, MIGRATION, index)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await undoCreations(db, MIGRATION)
}
