/**
 * kysely-ctl's config, over the same database and migrations as `npm run migrate:*`, so that
 * `npm run kysely -- migrate:list` (and `migrate:latest`, `migrate:down`, ...) see and do the same.
 */
import type { Kysely } from 'kysely'
import { defineConfig } from 'kysely-ctl'
import { connectDatabase } from './src/db/connect.js'
import { createMigrator } from './src/migrate.js'

export default defineConfig({
  kysely: async () => (await connectDatabase()).db,
  migrations: {
    migrator: (db: Kysely<any>) => createMigrator(db),
  },
})
