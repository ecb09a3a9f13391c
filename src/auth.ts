/**
 * Better Auth on its native Kysely adapter, over the module's own Kysely instance, so that
 * router-backend takes its auth and its database from one place.
 */
import { createRequire } from 'node:module'
import type { AuthOptions } from './auth-schema/options.js'
import type { AuthDatabase } from './db/connect.js'
import { assertNoNamingPlugin } from './db/naming-plugins.js'

export type { AuthOptions }

/**
 * Builds Better Auth over `database`. The migrations create Better Auth's core schema only:
 * plugins that add tables or fields need migrations of their own.
 *
 * @example
 * const database = await connectDatabase()
 * const auth = createAuth(database, { secret: process.env.BETTER_AUTH_SECRET, emailAndPassword: { enabled: true } })
 */
export function createAuth<const O extends AuthOptions>(database: AuthDatabase, options: O) {
  // CamelCasePlugin would rename Better Auth's columns behind its back: refused in one line.
  assertNoNamingPlugin(database.db)
  return loadBetterAuth().betterAuth({
    ...options,
    // Better Auth's Kysely adapter runs multi-write endpoints (sign-up: user, then account) in
    // one transaction only when asked; without it a failed account insert leaves a user who
    // cannot sign in and whose email cannot sign up again. Every engine here has transactions.
    // PGlite has a single connection, so this is safe only because Better Auth sends every
    // query of an endpoint through the transaction's adapter (test/auth-transactions.test.ts).
    database: { db: database.db, type: database.dialect, transaction: true },
  })
}

/**
 * Better Auth (with zod, jose and the rest) takes longer to import than everything else here
 * together, and a service that only runs `migrateToLatest` (or its check-only mode) at boot
 * never needs it. So it is loaded on the first `createAuth` call, not when this module is
 * imported. `createAuth` stays synchronous, as Better Auth's own `betterAuth` is, which a
 * dynamic `import()` cannot be: `require` of an ES module does it, which every Node version
 * this module supports (20.19 and newer) allows.
 */
function loadBetterAuth(): typeof import('better-auth') {
  return createRequire(import.meta.url)('better-auth') as typeof import('better-auth')
}
