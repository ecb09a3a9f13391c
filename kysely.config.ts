/**
 * kysely-ctl's config, over the same database and migrations as `npm run migrate:*`, so that
 * `npm run kysely -- migrate:list` (and `migrate:latest`, `migrate:down`, ...) see and do the same: the
 * module's migrations, then the application's from `migrations/` (or `MIGRATIONS_DIR`), behind the
 * same guards (see `createMigrator`). kysely-ctl has no flag of ours, so forcing a `down` that
 * deletes data is `ARTORIZER_FORCE_DOWN=1 npm run kysely -- migrate:down`. `npx kysely migrate:make
 * <name>` writes a plain Kysely migration into that folder, which runs like any other
 * (`artorizer-auth-db migrate:make` writes a typed schema-data one instead).
 */
import { config as loadDotenv } from 'dotenv'
import type { Kysely } from 'kysely'
import { defineConfig } from 'kysely-ctl'
import { loadMigrationsFolder, migrationsDir } from './src/app-migrations/folder.js'
import { connectDatabase } from './src/db/connect.js'
import { createMigrator } from './src/migrator/migrator.js'
import { loadAuthConfig } from './src/config/auth-config.js'

// The library never reads `.env`; its front ends (this file and the CLI) do. Set variables win.
loadDotenv({ quiet: true })

export default defineConfig({
  kysely: async () => (await connectDatabase()).db,
  migrations: {
    migrationFolder: migrationsDir(),
    migrator: async (db: Kysely<any>) =>
      createMigrator(db, {
        migrations: await loadMigrationsFolder(migrationsDir()),
        // auth.config.ts (or AUTH_CONFIG), as the CLI reads it: it shapes the core tables.
        authOptions: (await loadAuthConfig())?.options,
        force: process.env.ARTORIZER_FORCE_DOWN === '1',
      }),
  },
})
