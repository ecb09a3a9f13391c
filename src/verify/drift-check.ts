/**
 * Migrations that drifted: applied, but the code now runs different SQL (a released migration
 * was edited), or recorded in the database but missing from the code (the code is older). One
 * applied without a checksum is a warning: nothing can be said about it either way.
 * `migrationStatus` compares the checksums; see `src/migrator/migration-sql.ts`.
 */
import { migrationStatus } from '../migrator/run.js'
import type { CheckItem, VerifyCheck } from './check.js'

export const driftCheck: VerifyCheck = {
  name: 'drift',
  title: 'Migration drift',
  async run({ db, appMigrations }) {
    const drifted = (await migrationStatus(db, { migrations: appMigrations })).filter((m) => m.drift !== undefined)
    if (drifted.length === 0) return [{ status: 'ok', subject: 'checksums', detail: 'every applied migration runs the SQL it ran when applied' }]
    return drifted.map(
      (m): CheckItem =>
        m.drift === 'unchecked'
          ? {
              status: 'warn',
              subject: m.name,
              detail: 'no checksum: applied by a run that was cut short before recording it, so drift cannot be checked',
              fix: 'nothing to repair in the schema; the other checks still compare it with the expected one',
            }
          : m.drift === 'changed'
          ? {
              status: 'fail',
              subject: m.name,
              detail: 'changed after it was applied: this code would now run different SQL',
              fix: 'restore the released migration and put the change in a new migration',
            }
          : {
              status: 'fail',
              subject: m.name,
              detail: 'recorded in the database but not in this code',
              fix: 'run a version of this module that has it (this code is older than the database)',
            },
    )
  },
}
