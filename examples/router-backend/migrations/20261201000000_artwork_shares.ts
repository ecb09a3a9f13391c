/**
 * router-backend's next feature, share links: a new table `artwork_shares` (a link's token, the
 * artwork and the user who shared it, when it expires), and a new indexed column on
 * `artwork_jobs`, `license` (what the owner allows), added online: `artwork_jobs` may hold
 * millions of rows and keeps taking writes while the column is added and its index built.
 *
 * `artwork_id` and `user_id` copy exactly the types of `artwork_jobs.id` and `user.id` (`sameAs`;
 * on MySQL with their character set and collation), so that the foreign keys always fit, whatever
 * id type a legacy `artwork_jobs` has. `down` is the default: it removes what `up` created.
 */
import { defineSchema } from '../../../src/schema.js'

export const schema = defineSchema({
  tables: [
    {
      name: 'artwork_shares',
      adoption: 'legacy',
      columns: [
        { name: 'id', type: 'bigint', nullable: false, primaryKey: true, generated: true },
        { name: 'token', type: 'key', nullable: false },
        { name: 'artwork_id', type: { sameAs: { table: 'artwork_jobs', column: 'id' } }, nullable: false },
        { name: 'user_id', type: { sameAs: { table: 'user', column: 'id' } }, nullable: false },
        { name: 'expires_at', type: 'timestamp', nullable: true },
        { name: 'created_at', type: 'timestamp', nullable: false, default: { now: true } },
      ],
      uniques: [{ name: 'artwork_shares_token_uidx', columns: ['token'] }],
    },
  ],
  columns: [{ table: 'artwork_jobs', column: { name: 'license', type: 'shortString', nullable: true } }],
  indexes: [
    { table: 'artwork_shares', name: 'artwork_shares_artwork_id_idx', columns: ['artwork_id'] },
    { table: 'artwork_shares', name: 'artwork_shares_user_id_idx', columns: ['user_id'] },
    { table: 'artwork_jobs', name: 'artwork_jobs_license_idx', columns: ['license'] },
  ],
  foreignKeys: [
    { table: 'artwork_shares', name: 'artwork_shares_artwork_id_fk', column: 'artwork_id', references: { table: 'artwork_jobs', column: 'id' }, onDelete: 'cascade' },
    { table: 'artwork_shares', name: 'artwork_shares_user_id_fk', column: 'user_id', references: { table: 'user', column: 'id' }, onDelete: 'cascade' },
  ],
})
