/**
 * Better Auth on its native Kysely adapter, over the module's own Kysely instance, so that
 * router-backend takes its auth and its database from one place.
 */
import { betterAuth, type BetterAuthOptions } from 'better-auth'
import type { AuthDatabase } from './db/connect.js'

/** Better Auth's options, less `database`, which {@link createAuth} fills in. */
export type AuthOptions = Omit<BetterAuthOptions, 'database'>

/**
 * Builds Better Auth over `database`. The migrations create Better Auth's core schema only:
 * plugins that add tables or fields need migrations of their own.
 *
 * @example
 * const database = await connectDatabase()
 * const auth = createAuth(database, { secret: process.env.BETTER_AUTH_SECRET, emailAndPassword: { enabled: true } })
 */
export function createAuth<const O extends AuthOptions>(database: AuthDatabase, options: O) {
  return betterAuth({ ...options, database: { db: database.db, type: database.dialect } })
}
