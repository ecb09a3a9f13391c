/** The fold of every migration's schema data: the tables, columns and indexes the module ends with. */
import { describe, expect, it } from 'vitest'
import { MIGRATION_NAMES, schemasOf } from '../../src/migrations/index.js'
import { defineSchema, foldSchemas, type FoldedTable } from '../../src/model/migration-schema.js'

const folded = foldSchemas(schemasOf(MIGRATION_NAMES))
const table = (name: string): FoldedTable => {
  const found = folded.tables.find((t) => t.name === name)
  if (!found) throw new Error(`the fold has no table ${name}`)
  return found
}
const columnsOf = (name: string) => table(name).columns.map((c) => c.name)

function frozenPaths(value: unknown, path = 'schema'): string[] {
  if (!value || typeof value !== 'object') return []
  const here = Object.isFrozen(value) ? [] : [path]
  return [...here, ...Object.entries(value).flatMap(([key, inner]) => frozenPaths(inner, `${path}.${key}`))]
}

describe('foldSchemas of the migrations', () => {
  it('lists the migrations in order', () => {
    expect(MIGRATION_NAMES).toEqual(['0001_better_auth', '0002_artorizer_user_link', '0003_indexes', '0004_exact_job_ids'])
  })

  it('ends with the four Better Auth tables, artwork_jobs and the optional upload_history', () => {
    expect(folded.tables.map((t) => [t.name, t.adoption, t.optional])).toEqual([
      ['user', 'strict', false],
      ['session', 'strict', false],
      ['account', 'strict', false],
      ['verification', 'strict', false],
      ['artwork_jobs', 'legacy', false],
      ['upload_history', 'legacy', true],
    ])
  })

  it('adds user_id to artwork_jobs after the columns it is created with', () => {
    expect(columnsOf('artwork_jobs')).toEqual(['id', 'job_id', 'original_url', 'protected_url', 'status', 'created_at', 'user_id'])
    const userId = table('artwork_jobs').columns.find((c) => c.name === 'user_id')
    expect(userId).toEqual({ name: 'user_id', type: { sameAs: { table: 'user', column: 'id' } }, nullable: true })
  })

  it('knows only user_id of upload_history', () => {
    expect(columnsOf('upload_history')).toEqual(['user_id'])
  })

  it('keeps the Better Auth tables as 0001 makes them', () => {
    expect(columnsOf('user')).toEqual(['id', 'name', 'email', 'emailVerified', 'image', 'createdAt', 'updatedAt'])
    expect(columnsOf('session')).toEqual(['id', 'expiresAt', 'token', 'createdAt', 'updatedAt', 'ipAddress', 'userAgent', 'userId'])
    expect(columnsOf('verification')).toEqual(['id', 'identifier', 'value', 'expiresAt', 'createdAt', 'updatedAt'])
    expect(table('verification').columns[0]).toMatchObject({ name: 'id', primaryKey: true, minLength: 255 })
  })

  it('lists the unique constraint artwork_jobs_job_id_uidx as a unique index', () => {
    expect(folded.indexes).toContainEqual({ table: 'artwork_jobs', name: 'artwork_jobs_job_id_uidx', columns: ['job_id'], unique: true })
  })

  it('lists every index and foreign key once, in migration order', () => {
    expect(folded.indexes.map((i) => i.name)).toEqual([
      'user_email_uidx',
      'session_token_uidx',
      'session_userId_idx',
      'account_userId_idx',
      'artwork_jobs_job_id_uidx',
      'artwork_jobs_user_id_idx',
      'upload_history_user_id_idx',
      'account_providerId_accountId_idx',
      'verification_identifier_idx',
      'artwork_jobs_user_id_created_at_idx',
    ])
    expect(folded.foreignKeys.map((fk) => [fk.name, fk.onDelete, fk.ifTableExists === true])).toEqual([
      ['session_userId_fk', 'cascade', false],
      ['account_userId_fk', 'cascade', false],
      ['artwork_jobs_user_id_fk', 'cascade', false],
      ['upload_history_user_id_fk', 'cascade', true],
    ])
  })

  it('does not change the migrations it folds', () => {
    const again = foldSchemas(schemasOf(MIGRATION_NAMES))
    expect(again).toEqual(folded)
    expect(schemasOf(['0002_artorizer_user_link'])[0]!.tables[0]!.columns.map((c) => c.name)).not.toContain('user_id')
  })
})

describe('schema data is frozen', () => {
  it.each(MIGRATION_NAMES)('%s, all the way down', (name) => {
    const [schema] = schemasOf([name])
    expect(frozenPaths(schema)).toEqual([])
  })

  it('refuses a change', () => {
    const [schema] = schemasOf(['0001_better_auth'])
    expect(() => (schema!.tables as unknown as unknown[]).push({})).toThrow(TypeError)
    expect(() => {
      ;(schema!.tables[0]!.columns[1] as { nullable: boolean }).nullable = true
    }).toThrow(TypeError)
  })

  it('defineSchema fills the missing lists and freezes what it is given', () => {
    const schema = defineSchema({ indexes: [{ table: 't', name: 't_a_idx', columns: ['a'] }] })
    expect(schema).toEqual({ tables: [], columns: [], kindChanges: [], indexes: [{ table: 't', name: 't_a_idx', columns: ['a'] }], foreignKeys: [] })
    expect(frozenPaths(schema)).toEqual([])
  })
})
