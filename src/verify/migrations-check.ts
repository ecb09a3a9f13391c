/** Every migration this version of the module has is applied. */
import { migrationNames } from '../migrator/run.js'
import type { VerifyCheck } from './check.js'
import { howToRun } from '../invocation.js'

export const migrationsCheck: VerifyCheck = {
  name: 'migrations',
  title: 'Migrations',
  async run({ pendingMigrations }) {
    if (pendingMigrations.length === 0) {
      return [{ status: 'ok', subject: 'applied', detail: `all ${migrationNames.length} of this version's migrations` }]
    }
    return [{ status: 'fail', subject: 'pending', detail: pendingMigrations.join(', '), fix: `run ${howToRun('migrate:latest')}` }]
  },
}
