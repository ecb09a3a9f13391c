/**
 * The checks `db:verify` runs, in checklist order. To add one (say, migration drift), write a
 * `VerifyCheck` in a file of its own and list it here.
 */
import { betterAuthCheck } from './better-auth-check.js'
import type { VerifyCheck } from './check.js'
import { driftCheck } from './drift-check.js'
import { migrationsCheck } from './migrations-check.js'
import { authOptionsCheck } from './auth-options-check.js'
import { columnsCheck, foreignKeysCheck, indexesCheck, tablesCheck } from './schema-checks.js'

export const defaultChecks: readonly VerifyCheck[] = [
  migrationsCheck,
  authOptionsCheck,
  driftCheck,
  tablesCheck,
  columnsCheck,
  foreignKeysCheck,
  indexesCheck,
  betterAuthCheck,
]
