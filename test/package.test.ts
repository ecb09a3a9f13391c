/**
 * The package as router-backend gets it: `npm pack` (which builds `dist/` through `prepack`),
 * the tarball installed with npm into a fresh project in a temporary folder, then used from
 * an ES module, from CommonJS `require()`, from `tsc` (module NodeNext) and through its bin.
 *
 * Slow by nature (a build, an install, a type check of Better Auth's types), so it is one file,
 * with one install, its checks run side by side, and generous timeouts. The install uses npm's cache first
 * (`--prefer-offline`); when the registry cannot be reached and the cache is not enough, the
 * install tests are skipped with a warning, except in CI, where they fail.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import { createTestDatabase, DATABASE_KINDS, unavailableReason } from './support/databases.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
const SLOW = 600_000

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs a program and resolves with its exit code and output; never rejects on a non-zero exit. */
async function run(file: string, args: readonly string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(file, args, {
      cwd,
      env: { ...process.env, DEBUG: undefined, DATABASE_URL: undefined, NODE_OPTIONS: undefined, ...env },
      maxBuffer: 16 * 1024 * 1024,
      timeout: SLOW,
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string; message: string }
    return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? failed.message }
  }
}

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx'

describe('the packed tarball in a fresh project', () => {
  let work: string
  let app: string
  let tarball: string
  /** Why the install could not happen, when it could not. */
  let installSkipped: string | undefined

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'artorizer-pack-'))
    const packed = await run(NPM, ['pack', '--pack-destination', work], ROOT)
    if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`)
    const name = readdirSync(work).find((file) => file.endsWith('.tgz'))
    if (!name) throw new Error(`npm pack wrote no tarball:\n${packed.stdout}`)
    tarball = join(work, name)

    app = join(work, 'app')
    mkdirSync(app)
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true, version: '1.0.0' }))
    const installed = await run(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], app)
    if (installed.code !== 0) {
      const ping = await run(NPM, ['ping', '--loglevel=error'], app)
      if (ping.code === 0 || process.env.CI) throw new Error(`npm install of the tarball failed:\n${installed.stderr}`)
      installSkipped = 'the npm registry is unreachable and npm cache does not hold every dependency'
      console.warn(`\n⚠️⚠️⚠️  SKIPPING the install tests of the packed tarball: ${installSkipped}  ⚠️⚠️⚠️\n`)
    }
  }, SLOW)
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true })
  })

  function requireInstall(context: TestContext): void {
    if (installSkipped) context.skip(installSkipped)
  }

  it('holds dist with type declarations, the sources its maps point to, and no tests', async () => {
    const listed = await run('tar', ['-tzf', tarball], work)
    const files = listed.stdout.split('\n').filter(Boolean)
    expect(files).toContain('package/dist/index.js')
    expect(files).toContain('package/dist/index.d.ts')
    expect(files).toContain('package/dist/cli.js')
    expect(files).toContain('package/dist/schema.js')
    expect(files).toContain('package/dist/tools.d.ts')
    expect(files).toContain('package/src/index.ts')
    expect(files).toContain('package/package.json')
    expect(files.filter((file) => /^package\/(test|examples|scripts|node_modules|\.data)\//.test(file))).toEqual([])
  })

  it('imports at run time nothing but its declared dependencies and Node built-ins', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string> }
    // Its own name appears in the migrations that `migrate:make` writes for the application.
    const allowed = new Set([manifest.name, ...Object.keys(manifest.dependencies), ...builtinModules])
    const dist = join(ROOT, 'dist')
    const undeclared: string[] = []
    for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'))) {
      const source = readFileSync(join(dist, file), 'utf8')
      for (const [, specifier = ''] of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)) {
        if (specifier.startsWith('.') || specifier.startsWith('node:')) continue
        const pkg = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!
        if (!allowed.has(pkg)) undeclared.push(`${file}: ${specifier}`)
      }
    }
    expect(undeclared).toEqual([])
  })

  it.concurrent('works from an ES module: migrates an embedded database and signs a user up with Better Auth', async (context) => {
    requireInstall(context)
    writeFileSync(
      join(app, 'esm.mjs'),
      `import { connectDatabase, createAuth, migrateToLatest } from 'artorizer-auth-db'
import * as root from 'artorizer-auth-db'
import { defineSchema } from 'artorizer-auth-db/schema'
import { parseDatabaseUrl } from 'artorizer-auth-db/tools'
if (defineSchema({ tables: [] }).tables.length !== 0 || parseDatabaseUrl('pglite:memory').kind !== 'pglite') throw new Error('subpaths')
if (Object.keys(root).length > 30) throw new Error('the root exports ' + Object.keys(root).length + ' values')
const database = await connectDatabase({ url: 'pglite:memory' })
const applied = await migrateToLatest(database.db)
const auth = createAuth(database, { secret: 'x'.repeat(40), baseURL: 'http://localhost:3000', emailAndPassword: { enabled: true }, logger: { disabled: true } })
const { user } = await auth.api.signUpEmail({ body: { email: 'ada@example.com', password: 'correct horse battery staple', name: 'Ada' } })
console.log(JSON.stringify({ applied: applied.map((step) => step.name), email: user.email }))
await database.db.destroy()
`,
    )
    const result = await run(process.execPath, ['esm.mjs'], app)
    expect(result.stderr).toBe('')
    expect(JSON.parse(result.stdout)).toEqual({ applied: ['0001_better_auth', '0002_artorizer_user_link', '0003_indexes', '0004_exact_job_ids'], email: 'ada@example.com' })
  }, SLOW)

  it.concurrent('works from CommonJS require() (no top-level await in the entry)', async (context) => {
    requireInstall(context)
    if (!process.features.require_module) context.skip(`Node ${process.version} cannot require() ES modules`)
    // No embedded database here (the ES module test has one): reaching for a PostgreSQL that is not
    // there proves that the driver loads from CommonJS too, and that the refusal is explained.
    writeFileSync(
      join(app, 'cjs.cjs'),
      `const { connectDatabase, migrateToLatest, explainDatabaseError, ConnectionError } = require('artorizer-auth-db')
const { migrationNames } = require('artorizer-auth-db/tools')
const { defineSchema } = require('artorizer-auth-db/schema')
if (typeof defineSchema !== 'function') throw new Error('artorizer-auth-db/schema')
connectDatabase({ url: 'postgres://nobody@127.0.0.1:1/none', connectTimeoutMs: 5000 }).then(async (database) => {
  const error = await migrateToLatest(database.db).catch((e) => explainDatabaseError(e, database.target))
  await database.db.destroy()
  console.log(JSON.stringify({ names: migrationNames, refused: error instanceof ConnectionError && /connection refused/.test(error.message) }))
})
`,
    )
    const result = await run(process.execPath, ['cjs.cjs'], app)
    // Some Node versions warn that require(esm) is experimental; nothing else may be printed.
    expect(result.stderr.split('\n').filter((line) => line && !/ExperimentalWarning|--trace-warnings/.test(line))).toEqual([])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({ names: ['0001_better_auth', '0002_artorizer_user_link', '0003_indexes', '0004_exact_job_ids'], refused: true })
  }, SLOW)

  it.concurrent('has types that resolve under tsc with module NodeNext, from .mts and .cts', async (context) => {
    requireInstall(context)
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          types: [],
          // Better Auth's own declarations name `bun:sqlite` and `node:sqlite`: any project
          // that uses Better Auth checks with skipLibCheck.
          skipLibCheck: true,
        },
        files: ['consumer.mts', 'consumer.cts'],
      }),
    )
    writeFileSync(
      join(app, 'consumer.mts'),
      `import { connectDatabase, createAuth, migrateToLatest, type AuthDatabase, type MigrationStep } from 'artorizer-auth-db'
import { defineSchema, type UserTable, type MigrationSchema } from 'artorizer-auth-db/schema'
import { redactUrl } from 'artorizer-auth-db/tools'
const schema: MigrationSchema = defineSchema({ tables: [] })
const shown: string = redactUrl('postgres://a:b@h/d')
const database: AuthDatabase = await connectDatabase({ url: 'pglite:memory' })
const steps: MigrationStep[] = await migrateToLatest(database.db)
const row: Pick<UserTable, 'email'> | undefined = await database.db.selectFrom('user').select('email').executeTakeFirst()
const auth = createAuth(database, { secret: 's', emailAndPassword: { enabled: true } })
const { user } = await auth.api.signUpEmail({ body: { email: 'a@example.com', password: 'p', name: 'A' } })
const email: string = user.email
// @ts-expect-error checkOnly is a boolean (proves the declarations are read, not \`any\`)
await migrateToLatest(database.db, { checkOnly: 'yes' })
// @ts-expect-error there is no such table
await database.db.selectFrom('users').selectAll().execute()
export { steps, row, email, schema, shown }
`,
    )
    writeFileSync(
      join(app, 'consumer.cts'),
      `import { connectDatabase, migrateToLatest, type MigrationStep } from 'artorizer-auth-db'
import type { Database } from 'artorizer-auth-db/schema'
import { migrationNames } from 'artorizer-auth-db/tools'
export const names: readonly string[] = migrationNames
export type Db = Database
export async function boot(): Promise<MigrationStep[]> {
  const database = await connectDatabase({ url: 'pglite:memory' })
  // @ts-expect-error the url is a string
  await connectDatabase({ url: 42 })
  return migrateToLatest(database.db)
}
`,
    )
    const result = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], app)
    expect(result.stdout + result.stderr).toBe('')
    expect(result.code).toBe(0)
  }, SLOW)

  it.concurrent(
    "loads a consumer's TypeScript auth.config.ts and migrations/ from its bin: migrate:make --auth, migrate:make, latest, down, on every engine",
    async (context) => {
      requireInstall(context)
      const bin = join(app, 'node_modules', '.bin', 'artorizer-auth-db')
      for (const kind of DATABASE_KINDS) {
        if (unavailableReason(kind) && !process.env.CI) continue
        const testDb = await createTestDatabase(kind)
        const project = join(app, `project-${kind}`)
        try {
          mkdirSync(project)
          writeFileSync(join(project, 'package.json'), JSON.stringify({ name: `project-${kind}`, private: true, type: 'module' }))
          writeFileSync(
            join(project, 'auth.config.ts'),
            `import type { AuthOptions } from 'artorizer-auth-db'
import { username } from 'better-auth/plugins'
const options: AuthOptions = { emailAndPassword: { enabled: true }, plugins: [username()] }
export default options
`,
          )
          const cli = (...args: string[]) => run(bin, args, project, { DATABASE_URL: testDb.url })
          const made = await cli('migrate:make', '--auth', 'usernames')
          expect({ kind, code: made.code, stderr: made.stderr }).toEqual({ kind, code: 0, stderr: '' })
          expect(made.stdout).toMatch(/Wrote migrations\/\d{14}_usernames\.ts/)
          expect((await cli('migrate:make', '--auth', 'again')).stdout).toMatch(/Nothing to generate/)
          expect((await cli('migrate:make', 'artwork_notes')).code).toBe(0)
          expect(readdirSync(join(project, 'migrations'))).toHaveLength(2)
          const latest = await cli('migrate:latest', '--json')
          expect({ kind, stderr: latest.stderr, applied: (JSON.parse(latest.stdout) as { applied: string[] }).applied.length }).toEqual({ kind, stderr: '', applied: 6 })
          const verified = await cli('db:verify')
          expect({ kind, code: verified.code, out: verified.code === 0 ? '' : verified.stdout }).toEqual({ kind, code: 0, out: '' })
          const down = await cli('migrate:down', '--all', '--force', '--json')
          expect({ kind, reverted: (JSON.parse(down.stdout) as { reverted: string[] }).reverted.length }).toEqual({ kind, reverted: 6 })
          expect(JSON.parse((await cli('migrate:latest', '--json')).stdout)).toMatchObject({ ok: true, applied: expect.arrayContaining(['0001_better_auth']) })
        } finally {
          await testDb.drop()
        }
      }
    },
    SLOW,
  )

  it.concurrent('runs its bin: npx artorizer-auth-db migrate:status', async (context) => {
    requireInstall(context)
    const result = await run(NPX, ['--no-install', 'artorizer-auth-db', 'migrate:status'], app, { DATABASE_URL: 'pglite:memory', NO_UPDATE_NOTIFIER: '1' })
    expect(result.stderr).not.toMatch(/❌|Error/)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('0001_better_auth')
    expect(result.stdout).toMatch(/4 migrations pending/)
  }, SLOW)

  it.concurrent('its bin: --version, and every command with --help, a usage error (plain and --json) and --json output', async (context) => {
    requireInstall(context)
    const bin = join(app, 'node_modules', '.bin', 'artorizer-auth-db')
    const folder = join(work, 'bin-db')
    const env = { DATABASE_URL: `pglite:${folder}`, NO_COLOR: '1' }
    const cli = (...args: string[]) => run(bin, args, app, env)
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
    expect((await cli('--version')).stdout.trim()).toBe(manifest.version)

    const names = ['migrate:latest', 'migrate:down', 'migrate:status', 'migrate:sql', 'db:verify', 'artworks:link', 'db:seed']
    await Promise.all(
      names.map(async (name) => {
        const help = await cli(name, '--help')
        expect(help.code).toBe(0)
        expect(help.stdout).toMatch(new RegExp(`^Usage: artorizer-auth-db ${name} \\[options\\]`))
        const wrong = await cli(name, '--frobnicate')
        expect(wrong.code).toBe(2)
        expect(wrong.stderr).toBe(`error: unknown option '--frobnicate'\nRun artorizer-auth-db ${name} --help for usage.\n`)
        const wrongJson = await cli(name, '--frobnicate', '--json')
        expect(wrongJson.code).toBe(2)
        expect(JSON.parse(wrongJson.stdout)).toMatchObject({ ok: false, usage: true, command: name })
      }),
    )
    // A read-only command creates nothing; then each command's --json is one document on stdout, in order.
    expect((await cli('migrate:status', '--json')).code).toBe(1)
    expect(existsSync(folder)).toBe(false)
    const outputs: [string[], number, Record<string, unknown>][] = [
      [['migrate:latest', '--json'], 0, { ok: true, applied: ['0001_better_auth', '0002_artorizer_user_link', '0003_indexes', '0004_exact_job_ids'] }],
      [['migrate:status', '--json'], 0, { ok: true }],
      [['migrate:sql', '--json'], 0, { ok: true, dialect: 'postgres' }],
      [['db:verify', '--json'], 0, { ok: true }],
      [['db:seed', '--json'], 0, { ok: true }],
      [['artworks:link', '--user', 'test@example.com', 'seed-job-1', 'no-such-job', '--json'], 1, { ok: false, jobsNotFound: ['no-such-job'] }],
      [['migrate:down', '--all', '--force', '--json'], 0, { ok: true }],
    ]
    for (const [args, code, expected] of outputs) {
      const result = await cli(...args)
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(code)
      expect(JSON.parse(result.stdout), args.join(' ')).toMatchObject(expected)
    }
  }, SLOW)
})
