/**
 * Better Auth's own schema check: `getMigrations` (what `better-auth migrate` would do) must find
 * nothing to create or add. It compares tables, columns and its own indexes; it knows nothing of
 * `artwork_jobs` and does not look at foreign keys, which is why the other checks exist.
 * Type mismatches it only logs as warnings: they are captured here and reported as failures.
 */
import { describeError } from '../errors.js'
import type { CheckItem, VerifyCheck } from './check.js'
import { howToRun } from '../invocation.js'

export const betterAuthCheck: VerifyCheck = {
  name: 'better-auth',
  title: "Better Auth's schema check",
  async run(context) {
    const warnings: string[] = []
    // Loaded here, not on import: importing the module must not load Better Auth (see auth.ts).
    const { getMigrations } = await import('better-auth/db/migration')
    let plan: Awaited<ReturnType<typeof getMigrations>>
    try {
      plan = await getMigrations(
        {
          ...context.authOptions,
          logger: {
            level: 'warn',
            log: (level, message) => {
              if (level === 'warn' || level === 'error') warnings.push(message)
            },
          },
          database: { db: context.db, type: context.dialect },
        },
        { throwOnUnsafe: false },
      )
    } catch (error) {
      return [{ status: 'fail', subject: 'getMigrations', detail: `failed: ${describeError(error)}`, fix: `fix what it names, then run ${howToRun('db:verify')} again` }]
    }
    const fix =
      context.pendingMigrations.length > 0
        ? `run ${howToRun('migrate:latest')}`
        : `run ${howToRun('migrate:make', '--auth <name>')} (it adopts what a half-finished \`better-auth migrate\` left), then ${howToRun('migrate:latest')}`
    const items: CheckItem[] = []
    const report = (subject: string, detail: string) => items.push({ status: 'fail', subject, detail, fix })
    if (plan.toBeCreated.length > 0) report('tables to create', plan.toBeCreated.map((t) => t.table).join(', '))
    if (plan.toBeAdded.length > 0) {
      report('columns to add', plan.toBeAdded.flatMap((t) => Object.keys(t.fields).map((field) => `${t.table}.${field}`)).join(', '))
    }
    if (plan.toBeAddedIndexes.length > 0) report('indexes to add', plan.toBeAddedIndexes.map((i) => `${i.name} on ${i.table}`).join(', '))
    for (const problem of [...plan.schemaProblems, ...plan.unsafeChanges, ...warnings.filter((w) => !(context.dialect === 'mysql' && isMariaDbJson(w)) && !(context.authShape.wanted.ids === 'serial' && isSerialReference(w)))]) {
      report('schema problem', problem)
    }
    if (items.length === 0) items.push({ status: 'ok', subject: 'getMigrations', detail: 'finds nothing to create or add' })
    return items
  },
}

/**
 * Better Auth's check wants "json" in a JSON column's type name; MariaDB's `json` is an alias of
 * `longtext` (with a `json_valid` check) and reads back as `longtext`, so the check warns about
 * every json, string[] and number[] field there although the column is what `json` makes.
 */
function isMariaDbJson(warning: string): boolean {
  return /^Field \w+ in table \w+ has a different type in the database\. Expected (json|string\[\]|number\[\]) but got longtext\.$/.test(warning)
}

/**
 * With `generateId: 'serial'` Better Auth's own migration makes every reference to an id an
 * integer (`getMigrations`' `getType`), while its check still expects the `string` its schema
 * declares for such a field, and warns about the very columns it would have made.
 */
function isSerialReference(warning: string): boolean {
  return /^Field \w+ in table \w+ has a different type in the database\. Expected string but got (int4|int|integer)\.$/.test(warning)
}
