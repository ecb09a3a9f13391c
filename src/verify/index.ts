/**
 * `verifyDatabase`: checks a live database against the schema the migrations lead to, the way
 * the seed's "Testing This Phase" does by hand, plus Better Auth's own check and the migrations'
 * state. Read-only; what `db:verify` prints and router-backend may run at boot or in a health
 * check.
 */
import type { Kysely } from 'kysely'
import type { AuthOptions } from '../auth-schema/options.js'
import { moduleDb } from '../db/naming-plugins.js'
import type { AppMigrations } from '../migrator/migration-set.js'
import { describeError } from '../errors.js'
import { createVerifyContext, type CheckItem, type ItemStatus, type VerifyCheck } from './check.js'
import { defaultChecks } from './checks.js'

export type { CheckItem, ItemStatus, VerifyCheck, VerifyContext, TableInfo } from './check.js'
export { defaultChecks } from './checks.js'

export interface VerifyOptions {
  /**
   * The Better Auth options the application runs with, for Better Auth's own check (plugins add
   * tables and fields). Default: Better Auth's core schema.
   */
  readonly authOptions?: AuthOptions
  /** The application's own migrations (see `migrateToLatest`): their schema counts as expected. */
  readonly migrations?: AppMigrations
  /** The checks to run (default {@link defaultChecks}). */
  readonly checks?: readonly VerifyCheck[]
}

export interface CheckResult {
  readonly name: string
  readonly title: string
  /** The worst of its items: `fail` over `warn` over `ok`. */
  readonly status: ItemStatus
  readonly items: readonly CheckItem[]
}

export interface VerificationReport {
  /** True when no item failed (warnings allowed). */
  readonly ok: boolean
  readonly checks: readonly CheckResult[]
  readonly failures: number
  readonly warnings: number
}

/**
 * Runs every check and reports each item. A check that throws is reported as a failed item,
 * so one broken check never hides the others.
 *
 * @example
 * const report = await verifyDatabase(database.db)
 * if (!report.ok) console.error(report.checks.flatMap((c) => c.items).filter((i) => i.status === 'fail'))
 */
export async function verifyDatabase(db: Kysely<any>, options: VerifyOptions = {}): Promise<VerificationReport> {
  const context = await createVerifyContext(moduleDb(db), options.authOptions ?? {}, options.migrations)
  const checks: CheckResult[] = []
  for (const check of options.checks ?? defaultChecks) {
    let items: CheckItem[]
    try {
      items = await check.run(context)
    } catch (error) {
      items = [{ status: 'fail', subject: check.name, detail: `the check could not run: ${describeError(error)}`, fix: 'fix what it names, then run db:verify again' }]
    }
    checks.push({ name: check.name, title: check.title, status: worst(items), items })
  }
  const all = checks.flatMap((check) => check.items)
  const failures = all.filter((item) => item.status === 'fail').length
  const warnings = all.filter((item) => item.status === 'warn').length
  return { ok: failures === 0, checks, failures, warnings }
}

function worst(items: readonly CheckItem[]): ItemStatus {
  if (items.some((item) => item.status === 'fail')) return 'fail'
  if (items.some((item) => item.status === 'warn')) return 'warn'
  return 'ok'
}
