/**
 * Indexes for the queries Better Auth and router-backend run most: an OAuth account by
 * provider and account id, a verification by identifier, and a user's artworks newest first.
 * Built online, since `artwork_jobs` may hold millions of rows. Indexes that keys need
 * (`user.email`, `session.token`, the `userId` columns) come with their keys in 0001 and 0002.
 *
 * Better Auth's own MySQL tables have `account.accountId` and `providerId` as `text`, which
 * MySQL cannot index whole: such a column becomes `varchar(255)` (same character set and
 * collation) first, when every value fits; otherwise the run stops before any change. A legacy
 * `artwork_jobs` without `created_at` keeps only its `user_id` index; `db:verify` reports it.
 */
import type { Kysely } from 'kysely'
import { defineSchema } from '../model/migration-schema.js'
import { undoCreations } from '../ddl/apply.js'

const MIGRATION = '0003_indexes'

export const schema = defineSchema({
  indexes: [
    { table: 'account', name: 'account_providerId_accountId_idx', columns: ['providerId', 'accountId'], ifColumnsExist: true },
    { table: 'verification', name: 'verification_identifier_idx', columns: ['identifier'], ifColumnsExist: true },
    { table: 'artwork_jobs', name: 'artwork_jobs_user_id_created_at_idx', columns: ['user_id', 'created_at'], ifColumnsExist: true },
  ],
})

/** Removes the indexes `up` created; a column it bounded to `varchar(255)` stays so. */
export async function down(db: Kysely<any>): Promise<void> {
  await undoCreations(db, MIGRATION)
}
