/** Every CLI command by name, in the order the usage text lists them. */
import type { Command } from './command.js'
import { migrateDown } from './migrate-down.js'
import { migrateLatest } from './migrate-latest.js'
import { migrateSql } from './migrate-sql.js'
import { migrateStatus } from './migrate-status.js'
import { migrateMake } from './migrate-make.js'
import { dbVerify } from './db-verify.js'
import { artworksLink } from './artworks-link.js'
import { dbSeed } from './db-seed.js'

export const commands: Readonly<Record<string, Command>> = {
  'migrate:latest': migrateLatest,
  'migrate:down': migrateDown,
  'migrate:status': migrateStatus,
  'migrate:sql': migrateSql,
  'migrate:make': migrateMake,
  'db:verify': dbVerify,
  'artworks:link': artworksLink,
  'db:seed': dbSeed,
}
