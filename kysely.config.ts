/**
 * kysely-ctl's config, over the same database and migrations as `npm run migrate:*`, so that
 * `npm run kysely -- migrate:list` (and `migrate:latest`, `migrate:down`, ...) see and do the same: the
 * module's migrations, then the application's from `migrations/` (or `MIGRATIONS_DIR`), read when
 * kysely-ctl asks for them. `npx kysely migrate:make <name>` writes a plain Kysely migration into
 * that folder, which runs like any other (`artorizer-auth-db migrate:make` writes a typed
 * schema-data one instead).
 */
import type { Kysely } from 'kysely'
import { defineConfig } from 'kysely-ctl'
import { loadMigrationsFolder, migrationsDir } from './src/app-migrations/folder.js'
import { connectDatabase } from './src/db/connect.js'
import { createMigratorFor, withChecksums } from './src/migrate.js'
import { migrationSet } from './src/migration-set.js'

export default defineConfig({
  kysely: async () => (await connectDatabase()).db,
  migrations: {
    migrationFolder: migrationsDir(),
    migrator: (db: Kysely<any>) =>
      createMigratorFor(db, withChecksums({ getMigrations: async () => migrationSet(await loadMigrationsFolder(migrationsDir())).migrations })),
  },
})
