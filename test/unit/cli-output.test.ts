/**
 * The command line's plain output (NO_COLOR, a pipe) and how messages name a command: pure
 * rules, no process started.
 */
import { describe, expect, it } from 'vitest'
import { decorates, plainLine } from '../../src/cli/output.js'
import { howToRun, rememberInvocation } from '../../src/invocation.js'

describe('plain output', () => {
  it('drops a mark that only decorates, and turns one that carries meaning into a word', () => {
    expect(plainLine('✅ Applied 0001_better_auth (0.4 s)')).toBe('Applied 0001_better_auth (0.4 s)')
    expect(plainLine('❌ 1 job not found: job-9')).toBe('FAIL 1 job not found: job-9')
    expect(plainLine('⚠️  1 linked to another user')).toBe('WARN 1 linked to another user')
    expect(plainLine('⏳ 0003_indexes  pending')).toBe('0003_indexes  pending')
    expect(plainLine('   ✅ session.userId → user.id')).toBe('   ok session.userId → user.id')
    expect(plainLine('   ❌ artwork_jobs.user_id → user.id: missing')).toBe('   FAIL artwork_jobs.user_id → user.id: missing')
    expect(plainLine('   ⚠️  legacy column')).toBe('   WARN legacy column')
    expect(plainLine('      → recreate it: alter table ...')).toBe('      → recreate it: alter table ...')
    expect(plainLine('Database pglite:./.data/pglite')).toBe('Database pglite:./.data/pglite')
  })

  it('decorates a terminal only, NO_COLOR winning over FORCE_COLOR', () => {
    expect(decorates({ isTTY: true }, {})).toBe(true)
    expect(decorates({ isTTY: false }, {})).toBe(false)
    expect(decorates({ isTTY: true }, { NO_COLOR: '1' })).toBe(false)
    expect(decorates({ isTTY: true }, { TERM: 'dumb' })).toBe(false)
    expect(decorates({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true)
    expect(decorates({ isTTY: false }, { FORCE_COLOR: '0' })).toBe(false)
    expect(decorates({ isTTY: false }, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(false)
  })
})

describe('naming a command the way it is run', () => {
  it('npm run under an npm script of this package, the bin otherwise, npx from library code', () => {
    expect(howToRun('migrate:latest', '', 'npm-script')).toBe('npm run migrate:latest')
    expect(howToRun('migrate:down', '--to <name>', 'npm-script')).toBe('npm run migrate:down -- --to <name>')
    expect(howToRun('migrate:latest', '--check', 'bin')).toBe('artorizer-auth-db migrate:latest --check')
    expect(howToRun('migrate:latest', '', 'library')).toBe('npx artorizer-auth-db migrate:latest')
  })

  it('reads npm_lifecycle_event: only one of the commands, in this package, is an npm script of it', () => {
    const isCommand = (name: string) => name === 'migrate:latest'
    expect(rememberInvocation(isCommand, { npm_lifecycle_event: 'migrate:latest', npm_package_name: 'artorizer-auth-db' })).toBe('npm-script')
    expect(rememberInvocation(isCommand, { npm_lifecycle_event: 'test', npm_package_name: 'artorizer-auth-db' })).toBe('bin')
    expect(rememberInvocation(isCommand, { npm_lifecycle_event: 'migrate:latest', npm_package_name: 'router-backend' })).toBe('bin')
    expect(rememberInvocation(isCommand, {})).toBe('bin')
  })
})
