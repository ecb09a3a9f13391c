/**
 * The application's side, through the CLI as its team would use it: a TypeScript `auth.config.ts`
 * and a `migrations/` folder (named by `AUTH_CONFIG` and `MIGRATIONS_DIR`), on every engine.
 * An option change that needs schema fails `migrateToLatest(db, { authOptions, checkOnly })`,
 * `db:verify` and `migrate:latest`, and passes after `migrate:make --auth`; a second
 * `migrate:make --auth` writes nothing; `migrate:make <name>`'s template applies and undoes.
 *
 * The project lives under `.test-build/` so that its files resolve Better Auth from this repo's
 * node_modules; its `artorizer-auth-db` is a stand-in package re-exporting the bundled `src/index.ts` (and `src/schema.ts`)
 * (the packed package itself is tested in `package.test.ts`).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { AuthSchemaMissingError, loadMigrationsFolder, migrateToLatest } from '../src/index.js'
import { migrationNames } from '../src/tools.js'
import { ROOT, bundle, runCli } from './support/bundled-cli.js'
import { createTestDatabase, describeEachDatabase, type TestDatabase } from './support/databases.js'

const CORE_CONFIG = `import type { BetterAuthOptions } from 'better-auth'
const options: Omit<BetterAuthOptions, 'database'> = { emailAndPassword: { enabled: true } }
export default options
`
const PLUGIN_CONFIG = `import type { BetterAuthOptions } from 'better-auth'
import { username } from 'better-auth/plugins'
const options: Omit<BetterAuthOptions, 'database'> = {
  emailAndPassword: { enabled: true },
  user: { additionalFields: { plan: { type: 'string', required: true, defaultValue: 'free' } } },
  plugins: [username()],
}
export default options
`

describeEachDatabase('auth.config.ts and the application migrations through the CLI', (kind) => {
  let testDb: TestDatabase
  let project: string
  let migrationsDir: string
  let env: Record<string, string>
  const cli = (...args: string[]) => runCli(args, env)
  const files = () => (existsSync(migrationsDir) ? readdirSync(migrationsDir).sort() : [])

  beforeAll(async () => {
    testDb = await createTestDatabase(kind)
    mkdirSync(join(ROOT, '.test-build'), { recursive: true })
    project = mkdtempSync(join(ROOT, '.test-build', `app-${kind}-`))
    migrationsDir = join(project, 'migrations')
    // Its own package.json, as any project has: without one, Node resolves 'artorizer-auth-db' to this repo itself.
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true, type: 'module' }))
    const stand_in = join(project, 'node_modules', 'artorizer-auth-db')
    mkdirSync(stand_in, { recursive: true })
    // Both entry points: what `migrate:make` writes imports `artorizer-auth-db/schema`.
    writeFileSync(join(stand_in, 'package.json'), JSON.stringify({ name: 'artorizer-auth-db', type: 'module', exports: { '.': './index.js', './schema': './schema.js' } }))
    writeFileSync(join(stand_in, 'index.js'), `export * from ${JSON.stringify(await bundle('src/index.ts'))}\n`)
    writeFileSync(join(stand_in, 'schema.js'), `export * from ${JSON.stringify(await bundle('src/schema.ts'))}\n`)
    writeFileSync(join(project, 'auth.config.ts'), CORE_CONFIG)
    env = { DATABASE_URL: testDb.url, AUTH_CONFIG: join(project, 'auth.config.ts'), MIGRATIONS_DIR: migrationsDir }
  })
  afterAll(async () => {
    await testDb?.drop()
    if (project) rmSync(project, { recursive: true, force: true })
  })

  it('migrates and verifies with the core options', async () => {
    expect((await cli('migrate:latest')).code).toBe(0)
    const verified = await cli('db:verify')
    expect(verified.stdout).toContain('for the Better Auth options of')
    expect(verified.code).toBe(0)
  })

  it('an option that needs schema fails the boot check, db:verify and migrate:latest, naming migrate:make --auth', async () => {
    writeFileSync(join(project, 'auth.config.ts'), PLUGIN_CONFIG)
    const { username } = await import('better-auth/plugins')
    const authOptions = { emailAndPassword: { enabled: true }, user: { additionalFields: { plan: { type: 'string', required: true, defaultValue: 'free' } } }, plugins: [username()] } as const
    const database = await testDb.connect()
    try {
      const refused = migrateToLatest(database.db, { authOptions: authOptions as never, migrations: await loadMigrationsFolder(migrationsDir), checkOnly: true })
      await expect(refused).rejects.toBeInstanceOf(AuthSchemaMissingError)
      await expect(refused).rejects.toThrow(/column user\.username.*migrate:make --auth/)
    } finally {
      await database.db.destroy()
    }
    const verified = await cli('db:verify')
    expect(verified.code).toBe(1)
    expect(verified.stdout).toMatch(/❌ Migrations for the Better Auth options\n.*no migration makes column user\.username/)
    expect(verified.stdout).toContain('→ run artorizer-auth-db migrate:make --auth <name>')
    const latest = await cli('migrate:latest')
    expect(latest.code).toBe(1)
    expect(latest.stderr.trim().split('\n')).toHaveLength(1)
    expect(latest.stderr).toMatch(/❌ Better Auth's options need schema that no migration provides \(column user\.username.*migrate:make --auth/)
  })

  it('migrate:make --auth writes the difference once; then migrate:latest and db:verify pass', async () => {
    const made = await cli('migrate:make', '--auth', 'username_plugin')
    expect(made.stderr).toBe('')
    expect(made.code).toBe(0)
    expect(files()).toEqual([expect.stringMatching(/^\d{14}_username_plugin\.ts$/)])
    expect(made.stdout).toContain('adds column user.username, column user.displayUsername, column user.plan, unique index user_username_uidx')
    const again = await cli('migrate:make', '--auth', 'username_plugin_again')
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/Nothing to generate/)
    expect(files()).toHaveLength(1)

    const latest = await cli('migrate:latest')
    expect(latest.stderr).toBe('')
    expect(latest.stdout).toMatch(/✅ Applied \d{14}_username_plugin/)
    expect((await cli('db:verify')).code).toBe(0)
  })

  it("migrate:make <name> writes a template that applies and undoes cleanly; status lists it by its file name", async () => {
    const made = await cli('migrate:make', 'artwork_notes')
    expect(made.code).toBe(0)
    const template = files().find((f) => f.endsWith('_artwork_notes.ts'))!
    const name = template.replace(/\.ts$/, '')
    expect((await cli('migrate:latest')).stdout).toContain(`✅ Applied ${name}`)
    const status = JSON.parse((await cli('migrate:status', '--json')).stdout) as { migrations: { name: string; status: string }[] }
    expect(status.migrations.slice(-2).map((m) => [m.name.replace(/^\d{14}/, 'T'), m.status])).toEqual([
      ['T_username_plugin', 'applied'],
      ['T_artwork_notes', 'applied'],
    ])
    const down = await cli('migrate:down', '--json')
    expect(JSON.parse(down.stdout)).toMatchObject({ ok: true, reverted: [name] })
    const pending = JSON.parse((await cli('migrate:status', '--json')).stdout) as { migrations: { name: string; status: string }[] }
    expect(pending.migrations.at(-1)).toMatchObject({ name, status: 'pending' })
    expect((await cli('migrate:latest')).stdout).toContain(`✅ Applied ${name}`)
  })

  it('migrate:down --all --force undoes the application migrations and the module, and migrate:latest rebuilds', async () => {
    // The module's migrations and the application's two.
    const down = await cli('migrate:down', '--all', '--force', '--json')
    expect(JSON.parse(down.stdout).reverted).toHaveLength(migrationNames.length + 2)
    const latest = await cli('migrate:latest', '--json')
    expect(JSON.parse(latest.stdout).applied).toHaveLength(migrationNames.length + 2)
    expect((await cli('db:verify')).code).toBe(0)
  })
})
