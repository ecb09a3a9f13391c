import type { BetterAuthOptions } from 'better-auth'

/** Better Auth's options, less `database`, which `createAuth` fills in. */
export type AuthOptions = Omit<BetterAuthOptions, 'database'>
