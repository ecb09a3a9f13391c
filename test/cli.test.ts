import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrationNames } from '../src/tools.js'
import { runCli } from './support/cli.js'
import { createTestDatabase, describeEachDatabase, type TestDatabase } from './support/databases.js'

describeEachDatabase('the migrate commands', (kind) => {
  let testDb: TestDatabase
  beforeAll(async () => {
    testDb = await createTestDatabase(kind)
  })
  afterAll(async () => {
    await testDb?.drop()
  })
  const cli = (...args: string[]) => runCli(args, { DATABASE_URL: testDb.url })

  it('migrate:latest prints one line per migration and a summary, then is a no-op', async () => {
    const first = await cli('migrate:latest')
    expect(first.code).toBe(0)
    for (const name of migrationNames) expect(first.stdout).toMatch(new RegExp(`✅ Applied ${name} \\(\\d+\\.\\d s\\)`))
    expect(first.stdout).toMatch(/✅ Migration completed successfully: 4 migrations applied in \d+\.\d s/)
    const second = await cli('migrate:latest', '--json')
    expect(second.code).toBe(0)
    expect(JSON.parse(second.stdout)).toMatchObject({ ok: true, applied: [] })
  })

  it('migrate:status lists each migration with when it was applied', async () => {
    const { code, stdout } = await cli('migrate:status', '--json')
    expect(code).toBe(0)
    const { migrations } = JSON.parse(stdout) as { migrations: { name: string; status: string; executedAt: string }[] }
    expect(migrations.map((m) => m.name)).toEqual(migrationNames)
    expect(migrations.every((m) => m.status === 'applied' && !Number.isNaN(Date.parse(m.executedAt)))).toBe(true)
  })

  it('migrate:down undoes exactly one, and says so when there is nothing left', async () => {
    const one = await cli('migrate:down', '--json')
    expect(JSON.parse(one.stdout)).toMatchObject({ ok: true, reverted: ['0004_exact_job_ids'] })
    const status = JSON.parse((await cli('migrate:status', '--json')).stdout) as { migrations: { status: string }[] }
    expect(status.migrations.map((m) => m.status)).toEqual(['applied', 'applied', 'applied', 'pending'])
    expect((await cli('migrate:down', '--all')).code).toBe(0)
    const none = await cli('migrate:down')
    expect(none.code).toBe(0)
    expect(none.stdout).toContain('Nothing to roll back')
  })

  it('migrate:latest --check fails naming the pending migrations', async () => {
    const { code, stderr } = await cli('migrate:latest', '--check')
    expect(code).toBe(1)
    expect(stderr).toContain('pending migrations 0001_better_auth, 0002_artorizer_user_link, 0003_indexes, 0004_exact_job_ids')
  })
})

describe('bad input', () => {
  it('refuses an unknown flag in one line and a pointer to the help, exit 2', async () => {
    const { code, stderr } = await runCli(['migrate:latest', '--frobnicate'], { DATABASE_URL: 'pglite:memory' })
    expect(code).toBe(2)
    expect(stderr).toBe("❌ unknown option '--frobnicate'\nRun artorizer-auth-db migrate:latest --help for usage.\n")
  })

  it('refuses an unknown command, suggesting the nearest', async () => {
    const { code, stderr } = await runCli(['migrate:sideways'], { DATABASE_URL: 'pglite:memory' })
    expect(code).toBe(2)
    expect(stderr).toContain("unknown command 'migrate:sideways'")
  })

  it('explains an unsupported scheme in one line without the password', async () => {
    const { code, stderr, stdout } = await runCli(['migrate:status'], { DATABASE_URL: 'oracle://scott:tiger-secret@db/x' })
    expect(code).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toContain('scheme "oracle" is not supported')
    expect(stderr + stdout).not.toContain('tiger-secret')
  })

  it('explains a refused connection in one line without the password or a stack', async () => {
    const { code, stderr } = await runCli(['migrate:latest'], { DATABASE_URL: 'postgres://app:hunter2-secret@127.0.0.1:1/db' })
    expect(code).toBe(1)
    expect(stderr).toContain('connection refused')
    expect(stderr).not.toContain('hunter2-secret')
    expect(stderr).not.toMatch(/\n\s+at /)
  })
})

describe('the embedded database', () => {
  it('refuses a second process on the same folder instead of letting both write stale copies', async () => {
    const { createTestDatabase } = await import('./support/databases.js')
    const testDb = await createTestDatabase('pglite')
    const held = await testDb.connect()
    try {
      await held.db.selectNoFrom((eb) => eb.val(1).as('one')).execute()
      const { code, stderr } = await runCli(['migrate:status'], { DATABASE_URL: testDb.url })
      expect(code).toBe(1)
      expect(stderr).toContain(`is in use by process ${process.pid}`)
    } finally {
      await held.db.destroy()
      await testDb.drop()
    }
    const again = await createTestDatabase('pglite')
    expect((await runCli(['migrate:status'], { DATABASE_URL: again.url })).code).toBe(0)
    await again.drop()
  })
})

describe('output to a closed pipe', () => {
  it('stops quietly when the reader goes away (| head), without an EPIPE stack trace', async () => {
    const { spawn } = await import('node:child_process')
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'migrate:sql', '--dialect', 'postgres'], {
      cwd: new URL('..', import.meta.url),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout.destroy() // the reader is gone before the first line is written
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const code = await new Promise((resolve) => child.on('close', resolve))
    expect(stderr).not.toContain('EPIPE')
    expect(code).toBe(0)
  })
})
