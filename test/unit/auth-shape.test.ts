/**
 * The core tables' shape from Better Auth's options, and what it does to the migrations' schema
 * data: pure rules, no database.
 */
import { twoFactor } from 'better-auth/plugins'
import { describe, expect, it } from 'vitest'
import { authShapeOf } from '../../src/auth-schema/shape.js'
import { snakeCase, toSnakeCase } from '../../src/auth-schema/snake-case.js'
import { DEFAULT_AUTH_SHAPE, sameShape, shapeChanges, shapeSchema, type AuthShape } from '../../src/model/auth-shape.js'
import { defineSchema, foldSchemas } from '../../src/model/migration-schema.js'
import { MIGRATION_NAMES, schemasOf } from '../../src/migrations/index.js'
import { shapeStateFrom } from '../../src/migrator/auth-shape-state.js'
import { migrationSql } from '../../src/migrator/migration-sql.js'

const PLURAL = { user: { modelName: 'users' }, session: { modelName: 'sessions' }, account: { modelName: 'accounts' }, verification: { modelName: 'verifications' } }

describe('the shape Better Auth options ask for', () => {
  it("is Better Auth's default without options, and with options that do not touch the core tables", async () => {
    expect(await authShapeOf(undefined)).toBe(DEFAULT_AUTH_SHAPE)
    expect(sameShape(await authShapeOf({ emailAndPassword: { enabled: true }, advanced: { database: { generateId: () => 'x' } } }), DEFAULT_AUTH_SHAPE)).toBe(true)
  })

  it.each([
    ['uuid', { advanced: { database: { generateId: 'uuid' } } }, ['ids string → uuid']],
    ['serial', { advanced: { database: { generateId: 'serial' } } }, ['ids string → serial']],
    ['plural names', PLURAL, ['table user → users', 'table session → sessions', 'table account → accounts', 'table verification → verifications']],
    ['renamed fields', { user: { fields: { emailVerified: 'email_verified' } }, session: { fields: { userId: 'user_id' } } }, ['column user.emailVerified → email_verified', 'column session.userId → user_id']],
  ])('reads %s', async (_what, options, changes) => {
    expect(shapeChanges(DEFAULT_AUTH_SHAPE, await authShapeOf(options as never))).toEqual(changes)
  })

  it('reads snakeCase() as every camelCase core column renamed', async () => {
    const shape = await authShapeOf(snakeCase({}))
    expect(shape.tables).toEqual(DEFAULT_AUTH_SHAPE.tables)
    expect(shape.columns.user).toEqual({ createdAt: 'created_at', emailVerified: 'email_verified', updatedAt: 'updated_at' })
    expect(shape.columns.session.userId).toBe('user_id')
    expect(shape.columns.account.accessTokenExpiresAt).toBe('access_token_expires_at')
  })
})

describe('snakeCase()', () => {
  it('names words the way Better Auth would', () => {
    expect(['emailVerified', 'userId', 'twoFactor', 'ipAddress', 'backupCodes', 'name', 'oauthApplication'].map(toSnakeCase)).toEqual([
      'email_verified',
      'user_id',
      'two_factor',
      'ip_address',
      'backup_codes',
      'name',
      'oauth_application',
    ])
  })

  it("keeps the application's own names, names plugin tables and fields, and is idempotent", async () => {
    const options = snakeCase({ user: { fields: { emailVerified: 'verified' } }, plugins: [twoFactor()] })
    expect(snakeCase(options)).toEqual(options)
    const { getAuthTables } = await import('better-auth/db')
    const tables = getAuthTables(options as never)
    expect(tables.user!.fields.emailVerified!.fieldName).toBe('verified')
    expect(tables.user!.fields.twoFactorEnabled!.fieldName).toBe('two_factor_enabled')
    expect(tables.twoFactor!.modelName).toBe('two_factor')
    expect(tables.twoFactor!.fields.backupCodes!.fieldName).toBe('backup_codes')
  })
})

describe('the migrations in a shape', () => {
  it('are exactly the released data with the default shape', () => {
    for (const schema of schemasOf(MIGRATION_NAMES)) expect(shapeSchema(schema, DEFAULT_AUTH_SHAPE)).toBe(schema)
  })

  it('give uuid ids a uuid type made by the database, and every reference the same type', async () => {
    const shape = await authShapeOf({ advanced: { database: { generateId: 'uuid' } }, ...PLURAL } as never)
    const fold = foldSchemas(schemasOf(MIGRATION_NAMES, shape))
    const users = fold.tables.find((t) => t.name === 'users')!
    expect(users.columns[0]).toMatchObject({ name: 'id', type: 'uuid', default: { randomUuid: true }, primaryKey: true })
    expect(fold.tables.find((t) => t.name === 'sessions')!.columns.find((c) => c.name === 'userId')!.type).toEqual({ sameAs: { table: 'users', column: 'id' } })
    expect(fold.tables.find((t) => t.name === 'artwork_jobs')!.columns.find((c) => c.name === 'user_id')!.type).toEqual({ sameAs: { table: 'users', column: 'id' } })
    expect(fold.foreignKeys.map((fk) => `${fk.table}.${fk.column} → ${fk.references.table} (${fk.name})`)).toEqual([
      'sessions.userId → users (sessions_userId_fk)',
      'accounts.userId → users (accounts_userId_fk)',
      'artwork_jobs.user_id → users (artwork_jobs_user_id_fk)',
      'upload_history.user_id → users (upload_history_user_id_fk)',
    ])
    expect(fold.indexes.map((i) => i.name)).toContain('users_email_uidx')
  })

  it('give serial ids integer identity keys', async () => {
    const fold = foldSchemas(schemasOf(MIGRATION_NAMES, await authShapeOf({ advanced: { database: { generateId: 'serial' } } } as never)))
    expect(fold.tables.find((t) => t.name === 'verification')!.columns[0]).toMatchObject({ name: 'id', type: 'integer', generated: true })
  })

  it('print the same SQL as before shapes existed with the default shape, and other SQL with another', async () => {
    for (const dialect of ['postgres', 'mysql'] as const) {
      expect(await migrationSql(dialect, DEFAULT_AUTH_SHAPE)).toEqual(await migrationSql(dialect))
      const snake = (await migrationSql(dialect, await authShapeOf(snakeCase({})))).flatMap((m) => m.statements).join('\n')
      expect(snake).toContain('email_verified')
      expect(snake).not.toContain('emailVerified')
    }
  })

  it('are renamed by a shape change in the fold, keeping the names of indexes and keys', async () => {
    const to = await authShapeOf(snakeCase(PLURAL) as never)
    const fold = foldSchemas([...schemasOf(MIGRATION_NAMES), defineSchema({ authShape: { from: DEFAULT_AUTH_SHAPE, to, views: true } })])
    expect(fold.tables.map((t) => t.name)).toEqual(['users', 'sessions', 'accounts', 'verifications', 'artwork_jobs', 'upload_history'])
    expect(fold.tables[1]!.columns.map((c) => c.name)).toContain('user_id')
    expect(fold.indexes.find((i) => i.name === 'session_userId_idx')).toMatchObject({ table: 'sessions', columns: ['user_id'] })
    expect(fold.foreignKeys.find((fk) => fk.name === 'artwork_jobs_user_id_fk')!.references).toEqual({ table: 'users', column: 'id' })
  })
})

describe('the shape state without a database', () => {
  it('starts a fresh database from the shape before the renames the application has', async () => {
    const to: AuthShape = await authShapeOf(PLURAL as never)
    const migrations = { '20261207000000_plural': { schema: defineSchema({ authShape: { from: DEFAULT_AUTH_SHAPE, to, views: true } }) } }
    const state = await shapeStateFrom(undefined, { authOptions: PLURAL as never, migrations })
    expect(state.base).toEqual(DEFAULT_AUTH_SHAPE)
    expect(state.reached).toEqual(to)
    expect(state.changes).toEqual([])
  })

  it('sees options that differ from what a database was made in as changes', async () => {
    const state = await shapeStateFrom(DEFAULT_AUTH_SHAPE, { authOptions: { advanced: { database: { generateId: 'uuid' } } } as never })
    expect(state.changes).toEqual(['ids string → uuid'])
  })
})
