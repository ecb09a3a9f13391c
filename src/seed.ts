/**
 * The seed's optional sample data: a test user, made through Better Auth's own email/password
 * sign-up (so the password is hashed the way Better Auth hashes it, and signing in works), and
 * a few artworks linked to it.
 *
 * Rerunning it adds nothing twice: the user is found by email, the artworks by job id. It is
 * for development databases: it refuses a database that has users other than the test user,
 * unless forced.
 */
import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import { linkArtworks, type LinkReport } from './artworks/link.js'
import { createAuth, type AuthOptions } from './auth.js'
import { currentAuthShape } from './ddl/auth-shape-record.js'
import { columnOf } from './model/auth-shape.js'
import type { AuthDatabase } from './db/connect.js'
import { AuthDbError } from './errors.js'
import { migrateToLatest } from './migrator/run.js'

/** The test user's details, printed by `db:seed` so that a developer can sign in. */
export const SEED_USER = {
  name: 'Test User',
  email: 'test@example.com',
  password: 'artorizer-test-password',
} as const

/** The sample artworks; their job ids say where they came from. */
export const SEED_ARTWORKS = [
  { job_id: 'seed-job-1', original_url: 'https://example.com/seed/sunflowers.png', protected_url: 'https://example.com/seed/sunflowers.protected.png', status: 'completed' },
  { job_id: 'seed-job-2', original_url: 'https://example.com/seed/harbour.png', protected_url: 'https://example.com/seed/harbour.protected.png', status: 'completed' },
  { job_id: 'seed-job-3', original_url: 'https://example.com/seed/sketch.png', protected_url: null, status: 'pending' },
] as const

export interface SeedOptions {
  /** Seed even though the database has other users. */
  readonly force?: boolean
  /** The test user (default {@link SEED_USER}). */
  readonly user?: { readonly name: string; readonly email: string; readonly password: string }
  /**
   * Better Auth options to sign up with (default: email and password enabled, a throw-away
   * secret: the secret signs cookies, and the seed keeps none; password hashes do not use it).
   */
  readonly authOptions?: AuthOptions
}

export interface SeedReport {
  readonly user: { readonly id: string; readonly email: string; readonly created: boolean }
  /** The password to sign in with; null when the user exists with a password changed since. */
  readonly password: string | null
  readonly artworks: { readonly created: number; readonly link: LinkReport }
}

/** The database has real users, and the caller did not force the seed. */
export class SeedRefusedError extends AuthDbError {
  override name = 'SeedRefusedError'
  constructor(readonly otherUsers: number) {
    super(
      `the database already has ${otherUsers} user${otherUsers === 1 ? '' : 's'} besides the test user, so it looks real; ` +
        'db:seed is for development databases (pass --force to seed it anyway)',
    )
  }
}

/**
 * Adds the test user and its artworks where they are missing.
 *
 * @throws {PendingMigrationsError} when the migrations have not all run.
 * @throws {SeedRefusedError} when other users exist and `force` is not set.
 */
export async function seedDatabase(database: AuthDatabase, options: SeedOptions = {}): Promise<SeedReport> {
  const { db } = database
  const seedUser = options.user ?? SEED_USER
  const email = seedUser.email.toLowerCase()
  await migrateToLatest(db, { checkOnly: true, ...(options.authOptions ? { authOptions: options.authOptions } : {}) })
  // The core tables under the names the options gave them.
  const shape = await currentAuthShape(db)
  const users = shape.tables.user
  const [userEmail, userId] = [columnOf(shape, 'user', 'email'), columnOf(shape, 'user', 'id')]
  const loose = db as Kysely<any>

  const { others } = await loose
    .selectFrom(users)
    .select((eb) => eb.fn.countAll<string | number>().as('others'))
    .where(userEmail, '<>', email)
    .executeTakeFirstOrThrow()
  if (Number(others) > 0 && !options.force) throw new SeedRefusedError(Number(others))

  const auth = createAuth(database, {
    secret: randomBytes(32).toString('hex'),
    baseURL: 'http://localhost:3000',
    logger: { disabled: true },
    ...options.authOptions,
    emailAndPassword: { ...options.authOptions?.emailAndPassword, enabled: true, autoSignIn: false },
  })

  const found = (await loose.selectFrom(users).select([`${userId} as id`, `${userEmail} as email`]).where(userEmail, '=', email).executeTakeFirst()) as
    | { id: string | number; email: string }
    | undefined
  let user = found ? { id: String(found.id), email: found.email } : undefined
  const created = !user
  let password: string | null = seedUser.password
  if (!user) {
    const result = await auth.api.signUpEmail({ body: { name: seedUser.name, email, password: seedUser.password } })
    user = { id: String(result.user.id), email: result.user.email }
  } else {
    // Print the password only if it still signs in.
    const account = (await loose
      .selectFrom(shape.tables.account)
      .select(`${columnOf(shape, 'account', 'password')} as password`)
      .where(columnOf(shape, 'account', 'userId'), '=', found!.id)
      .where(columnOf(shape, 'account', 'providerId'), '=', 'credential')
      .executeTakeFirst()) as { password: string | null } | undefined
    const context = await auth.$context
    const works = account?.password ? await context.password.verify({ hash: account.password, password: seedUser.password }) : false
    if (!works) password = null
  }

  let artworksCreated = 0
  for (const artwork of SEED_ARTWORKS) {
    const existing = await db.selectFrom('artwork_jobs').select('job_id').where('job_id', '=', artwork.job_id).executeTakeFirst()
    if (existing?.job_id === artwork.job_id) continue
    await db.insertInto('artwork_jobs').values(artwork).execute()
    artworksCreated++
  }
  const link = await linkArtworks(
    db,
    SEED_ARTWORKS.map((a) => ({ jobId: a.job_id, user: user.id })),
  )
  return { user: { id: user.id, email: user.email, created }, password, artworks: { created: artworksCreated, link } }
}
