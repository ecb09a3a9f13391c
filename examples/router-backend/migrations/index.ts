/**
 * The example's own migrations, listed in code: a service that is bundled cannot read a folder
 * at run time, so it passes them to `migrateToLatest(db, { migrations })`. The CLI reads the same
 * files from the folder (`--migrations-dir examples/router-backend/migrations`); the names are
 * the file names without the extension in both. `index.ts` itself is not a migration: the CLI
 * skips a file named `index`.
 */
import type { AppMigrations } from '../../../src/schema.js'
import * as artworkShares from './20261201000000_artwork_shares.js'

export const migrations: AppMigrations = {
  '20261201000000_artwork_shares': artworkShares,
}
