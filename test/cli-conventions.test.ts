/**
 * The command line as people expect it (issue 13): per-command `--help`, `--version`, "did you
 * mean", usage errors in one line (JSON under `--json`) before anything connects, stdout that
 * holds only the command's output, messages that name the command as it was run, read-only
 * commands that never create a database, and plain output in a pipe or under NO_COLOR.
 *
 * Through the bundled CLI; test/package.test.ts runs the same kind of checks through the packed bin.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { commands } from '../src/cli/commands/index.js'
import { connectDatabase, migrateToLatest } from '../src/index.js'
import { migrationNames } from '../src/tools.js'
import { runCli } from './support/cli.js'

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version
const work = mkdtempSync(join(tmpdir(), 'artorizer-cli-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** A PGlite folder that does not exist (yet). */
let folders = 0
const newFolder = () => join(work, `db-${++folders}`)

const EMOJI = /[✅❌⚠⏳➖]/u

describe('help and version', () => {
  it('--version and -v print the version', async () => {
    for (const flag of ['--version', '-v']) {
      const { code, stdout, stderr } = await runCli([flag])
      expect(code).toBe(0)
      expect(stdout.trim()).toBe(VERSION)
      expect(stderr).toBe('')
    }
  })

  it('--help lists every command', async () => {
    const { code, stdout } = await runCli(['--help'])
    expect(code).toBe(0)
    for (const [name, command] of Object.entries(commands)) {
      expect(stdout).toContain(name)
      expect(stdout.replace(/\s+/g, ' ')).toContain(command.summary)
    }
  })

  it('no command: the list of commands on stderr, exit 2', async () => {
    const { code, stdout, stderr } = await runCli([])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toContain('Commands:')
  })

  for (const [name, command] of Object.entries(commands)) {
    it(`${name} --help shows that command's usage and options only`, async () => {
      const { code, stdout, stderr } = await runCli([name, '--help'], { DATABASE_URL: `pglite:${newFolder()}` })
      expect(code).toBe(0)
      expect(stderr).toBe('')
      expect(stdout).toMatch(new RegExp(`^Usage: artorizer-auth-db ${name} \\[options\\]`))
      for (const option of command.options ?? []) expect(stdout).toContain(option.flags)
      expect(stdout).toContain('--json')
      for (const other of Object.keys(commands).filter((n) => n !== name)) expect(stdout).not.toContain(`artorizer-auth-db ${other}`)
    })

    it(`${name}: a usage error is JSON on stdout under --json, nothing on stderr, exit 2`, async () => {
      const { code, stdout, stderr } = await runCli([name, '--frobnicate', '--json'], { DATABASE_URL: `pglite:${newFolder()}` })
      expect(code).toBe(2)
      expect(stderr).toBe('')
      expect(JSON.parse(stdout)).toEqual({ ok: false, usage: true, command: name, error: "unknown option '--frobnicate'" })
    })
  }
})

describe('did you mean', () => {
  it('a mistyped command', async () => {
    const { code, stderr } = await runCli(['migrate:stauts'])
    expect(code).toBe(2)
    expect(stderr).toContain("unknown command 'migrate:stauts' (Did you mean migrate:status?)")
  })

  it('a mistyped flag', async () => {
    const { code, stderr } = await runCli(['migrate:latest', '--dryrun'])
    expect(code).toBe(2)
    expect(stderr).toContain("unknown option '--dryrun' (Did you mean --dry-run?)")
  })
})

describe('arguments are checked before anything connects', () => {
  for (const size of ['0', '10001', 'many', '-3']) {
    it(`artworks:link --batch-size ${size}: refused, nothing printed on stdout, no database created`, async () => {
      const folder = newFolder()
      const { code, stdout, stderr } = await runCli(['artworks:link', '--user', 'ada@example.com', '--batch-size', size, 'job-1'], { DATABASE_URL: `pglite:${folder}` })
      expect(code).toBe(2)
      expect(stdout).toBe('') // no "Linking 1 artwork in ..."
      expect(stderr).toContain('--batch-size')
      expect(stderr).toContain('Give a whole number from 1 to 10000')
      expect(existsSync(folder)).toBe(false)
    })
  }

  it('migrate:sql --dialect oracle is refused as usage', async () => {
    const { code, stderr } = await runCli(['migrate:sql', '--dialect', 'oracle'])
    expect(code).toBe(2)
    expect(stderr).toContain("argument 'oracle' is invalid. Use postgres or mysql.")
  })
})

describe('read-only commands never create a database', () => {
  const readOnly = [['migrate:status'], ['db:verify'], ['migrate:latest', '--check'], ['migrate:latest', '--dry-run']]
  for (const args of readOnly) {
    it(`${args.join(' ')} on a PGlite folder that does not exist: one line, exit 1, nothing created`, async () => {
      const folder = newFolder()
      const { code, stdout, stderr } = await runCli(args, { DATABASE_URL: `pglite:${folder}` })
      expect(code).toBe(1)
      expect(stderr.trim().split('\n')).toHaveLength(1)
      expect(stderr).toContain(`there is no embedded database in ${folder}; create it with artorizer-auth-db migrate:latest`)
      expect(stdout).not.toContain('Creating')
      expect(existsSync(folder)).toBe(false)
    })
  }

  it('migrate:sql needs no database and creates none', async () => {
    const folder = newFolder()
    const { code, stdout } = await runCli(['migrate:sql'], { DATABASE_URL: `pglite:${folder}` })
    expect(code).toBe(0)
    expect(stdout).toContain('create table')
    expect(existsSync(folder)).toBe(false)
  })
})

describe('messages name the command the way it was run', () => {
  it('under npm run: npm run migrate:latest; from the bin: artorizer-auth-db migrate:latest', async () => {
    const npm = { npm_lifecycle_event: 'migrate:status', npm_package_name: 'artorizer-auth-db' }
    const viaNpm = await runCli(['migrate:status'], { DATABASE_URL: `pglite:${newFolder()}`, ...npm })
    expect(viaNpm.stderr).toContain('create it with npm run migrate:latest,')
    const help = await runCli(['migrate:status', '--frobnicate'], npm)
    expect(help.stderr).toContain('Run npm run migrate:status -- --help for usage.')
    // npm test starting the CLI is not the user typing npm run migrate:status.
    const viaBin = await runCli(['migrate:status'], { DATABASE_URL: `pglite:${newFolder()}`, npm_lifecycle_event: 'test', npm_package_name: 'artorizer-auth-db' })
    expect(viaBin.stderr).toContain('create it with artorizer-auth-db migrate:latest,')
  })
})

describe('a first migrate:latest on a new embedded database', () => {
  const folder = newFolder()

  it('says it creates the database, prints each migration with its time, and in a pipe draws no emoji', async () => {
    const { code, stdout, stderr } = await runCli(['migrate:latest'], { DATABASE_URL: `pglite:${folder}`, FORCE_COLOR: undefined })
    expect(code, stderr).toBe(0)
    expect(stdout).not.toMatch(EMOJI)
    const lines = stdout.trim().split('\n')
    expect(lines[0]).toBe(`Migrating database pglite:${folder}...`)
    const creating = lines.findIndex((line) => line === `Creating the embedded database in ${folder}...`)
    expect(creating).toBeGreaterThan(0)
    const applied = lines.slice(creating + 1, creating + 1 + migrationNames.length)
    expect(applied).toEqual(migrationNames.map((name) => expect.stringMatching(new RegExp(`^Applied ${name} \\(\\d+\\.\\d s\\)$`))))
    expect(lines.at(-1)).toMatch(new RegExp(`^Migration completed successfully: ${migrationNames.length} migrations applied in \\d+\\.\\d s$`))
  })

  it('--check says it is checking, not migrating', async () => {
    const { code, stdout } = await runCli(['migrate:latest', '--check'], { DATABASE_URL: `pglite:${folder}` })
    expect(code).toBe(0)
    expect(stdout).toContain(`Checking database pglite:${folder} for pending migrations...`)
    expect(stdout).not.toContain('Migrating')
    expect(stdout).toContain('✅ Database is up to date: no migration is pending')
  })

  it('NO_COLOR wins over FORCE_COLOR; a status line keeps its meaning as a word', async () => {
    const { stdout } = await runCli(['migrate:status'], { DATABASE_URL: `pglite:${folder}`, NO_COLOR: '1' })
    expect(stdout).not.toMatch(EMOJI)
    expect(stdout).toContain('0001_better_auth  applied ')
    const verify = await runCli(['db:verify'], { DATABASE_URL: `pglite:${folder}`, NO_COLOR: '1' })
    expect(verify.code).toBe(0)
    expect(verify.stdout).not.toMatch(EMOJI)
    expect(verify.stdout).toContain('   ok artwork_jobs.user_id → user.id: ON DELETE CASCADE')
  })

  it('with --json, stdout is one JSON document, also when the database is created', async () => {
    const fresh = newFolder()
    const { code, stdout } = await runCli(['migrate:latest', '--json'], { DATABASE_URL: `pglite:${fresh}` })
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, applied: migrationNames })
  })
})

describe('migrateToLatest tells of each migration as it finishes', () => {
  it('onMigrated for one migration is called before the next one is recorded, not at the end of the run', async () => {
    const folder = newFolder()
    const database = await connectDatabase({ url: `pglite:${folder}` })
    try {
      const told: { name: string; ms: number; at: number }[] = []
      const steps = await migrateToLatest(database.db, { onMigrated: ({ name, ms }) => told.push({ name, ms, at: Date.now() }) })
      expect(told.map((t) => t.name)).toEqual(steps.map((s) => s.name))
      expect(told.every((t) => t.ms >= 0)).toBe(true)
      // Kysely records each migration (with its time) right after its `up`: the line for one came before the next was recorded.
      const rows = await database.db.selectFrom('kysely_migration' as any).select(['name', 'timestamp']).orderBy('name').execute()
      const recorded = new Map(rows.map((row) => [String(row.name), Date.parse(String(row.timestamp))]))
      for (let i = 0; i + 1 < told.length; i++) expect(told[i]!.at).toBeLessThanOrEqual(recorded.get(told[i + 1]!.name)!)
    } finally {
      await database.db.destroy()
    }
  })
})

describe("the npm scripts' launcher (scripts/cli.mjs)", () => {
  const root = new URL('..', import.meta.url).pathname
  const stamp = join(root, 'node_modules', '.cache', 'artorizer-auth-db', 'cli', 'stamp.json')
  const launch = () => promisify(execFile)(process.execPath, [join(root, 'scripts', 'cli.mjs'), '--version'], { cwd: root })
  const build = () => (JSON.parse(readFileSync(stamp, 'utf8')) as { dir: string }).dir

  it('reuses its bundle while src/ is unchanged, and rebuilds it when a source file changes', async () => {
    expect((await launch()).stdout.trim()).toBe(VERSION)
    const first = build()
    await launch()
    expect(build()).toBe(first)
    // A newer modification time on one source file (its content unchanged, its time put back after).
    const file = join(root, 'src', 'invocation.ts')
    const { atime, mtime } = statSync(file)
    try {
      utimesSync(file, atime, new Date(Date.now() + 1000))
      expect((await launch()).stdout.trim()).toBe(VERSION)
      expect(build()).not.toBe(first)
    } finally {
      utimesSync(file, atime, mtime)
    }
  })
})
