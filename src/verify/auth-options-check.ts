/**
 * Whether the migrations provide what the application's Better Auth options need (plugin tables
 * and fields, additional fields, their indexes and keys), from data alone: the same comparison
 * `migrateToLatest(db, { authOptions })` makes at boot. Fails with `migrate:make --auth` as the fix.
 */
import { authSchemaGap } from '../auth-schema/diff.js'
import { byKind, summarize } from '../auth-schema/needs.js'
import { describeError } from '../errors.js'
import type { VerifyCheck } from './check.js'
import { AuthShapeChangedError } from '../migrator/auth-shape-state.js'

export const authOptionsCheck: VerifyCheck = {
  name: 'auth-options',
  title: "Migrations for the Better Auth options",
  async run(context) {
    if (context.authShape.changes.length > 0) {
      const [problem, fix] = splitAdvice(new AuthShapeChangedError(context.authShape.changes, context.authShape.idsHeldBy).message)
      return [{ status: 'fail', subject: 'core tables', detail: problem, fix }]
    }
    let missing: readonly string[]
    try {
      missing = (await authSchemaGap(context.authOptions, context.migrations.schemas())).missing
    } catch (error) {
      return [{ status: 'fail', subject: 'options', detail: describeError(error), fix: 'change the options, or write that migration yourself' }]
    }
    const source = context.hasAuthOptions ? 'the Better Auth options' : "Better Auth's core schema (no auth.config.ts)"
    if (missing.length === 0) return [{ status: 'ok', subject: 'provided', detail: `the migrations make everything ${source} need` }]
    return [
      {
        status: 'fail',
        subject: 'missing',
        detail: `no migration makes ${summarize(byKind(missing))}`,
        fix: 'run artorizer-auth-db migrate:make --auth <name>, review and commit the file, then migrate:latest',
      },
    ]
  },
}

/** An error message's `problem; advice` as its two parts. */
function splitAdvice(message: string): [string, string] {
  const at = message.indexOf('); ')
  return at < 0 ? [message, ''] : [message.slice(0, at + 1), message.slice(at + 3)]
}
