/**
 * `migrate:make --auth` without a database: what Better Auth's options need against the fold of
 * the migrations, the kinds it picks, what it refuses, the names it gives, and the migration set
 * that orders the application's migrations after the module's.
 */
import { getDatabaseIndexName } from '@better-auth/core/db/internal'
import { describe, expect, it } from 'vitest'
import { authSchemaGap, UnsafeAuthChangeError } from '../../src/auth-schema/diff.js'
import { generateAuthMigration } from '../../src/auth-migration/generate.js'
import { databaseIndexName } from '../../src/model/index-names.js'
import { migrationFileName, toTypeScriptLiteral } from '../../src/app-migrations/render.js'
import { migrationTemplate } from '../../src/app-migrations/template.js'
import { mysql, postgres } from '../../src/engines/index.js'
import { UsageError } from '../../src/errors.js'
import { assertRunsInOrder, migrationSet } from '../../src/migrator/migration-set.js'
import { MIGRATION_NAMES } from '../../src/migrations/index.js'
import { CatalogSnapshot } from '../../src/planner/catalog-snapshot.js'
import { defineSchema, foldSchemas, type MigrationSchema } from '../../src/model/migration-schema.js'
import { offlineDb } from '../../src/planner/offline-db.js'
import { planMigrations } from '../../src/planner/plan.js'
import { PLUGIN_AUTH_OPTIONS } from '../support/plugin-options.js'

const moduleSchemas = (): MigrationSchema[] => migrationSet().schemas()

describe('what Better Auth needs against the migrations', () => {
  it("finds nothing missing for Better Auth's core options", async () => {
    expect((await authSchemaGap({ emailAndPassword: { enabled: true } }, moduleSchemas())).missing).toEqual([])
  })

  it('finds the plugin tables, fields, indexes and keys, in kinds that fit each field', async () => {
    const gap = await authSchemaGap(PLUGIN_AUTH_OPTIONS, moduleSchemas())
    const tables = gap.schema.tables.map((t) => t.name)
    expect(tables).toEqual(['organization', 'team', 'teamMember', 'member', 'invitation', 'twoFactor', 'passkey', 'apikey'])
    const fold = foldSchemas([...moduleSchemas(), gap.schema])
    const column = (table: string, name: string) => fold.tables.find((t) => t.name === table)!.columns.find((c) => c.name === name)
    expect(column('user', 'username')).toEqual({ name: 'username', type: 'key', nullable: true })
    expect(column('user', 'plan')).toEqual({ name: 'plan', type: 'indexedString', nullable: false, default: { literal: 'free' } })
    expect(column('user', 'credits')).toEqual({ name: 'credits', type: 'integer', nullable: true })
    expect(column('user', 'marketingOptIn')).toEqual({ name: 'marketingOptIn', type: 'boolean', nullable: false, default: { literal: false } })
    expect(column('user', 'lastExportAt')).toEqual({ name: 'lastExportAt', type: 'timestamp', nullable: true })
    expect(column('user', 'favoriteTags')).toEqual({ name: 'favoriteTags', type: 'json', nullable: true })
    expect(column('user', 'preferences')).toEqual({ name: 'preferences', type: 'json', nullable: true })
    expect(column('member', 'userId')).toEqual({ name: 'userId', type: { sameAs: { table: 'user', column: 'id' } }, nullable: false })
    expect(column('member', 'organizationId')?.type).toEqual({ sameAs: { table: 'organization', column: 'id' } })
    expect(column('invitation', 'createdAt')?.default).toEqual({ now: true })
    expect(gap.schema.indexes).toContainEqual({ table: 'user', name: 'user_username_uidx', columns: ['username'], unique: true })
    expect(gap.schema.foreignKeys).toContainEqual({
      table: 'member',
      name: 'member_userId_fk',
      column: 'userId',
      references: { table: 'user', column: 'id' },
      onDelete: 'cascade',
    })
    // What the core migrations already make is not made again.
    expect(gap.missing.filter((m) => /session_userId|user_email|session_token|verification_identifier/.test(m))).toEqual([])
  })

  it("makes API keys a user's: apikey.referenceId copies user.id and references it ON DELETE CASCADE, and the file says so", async () => {
    const generated = await generateAuthMigration(PLUGIN_AUTH_OPTIONS, { name: 'plugins' })
    const apikey = generated!.schema.tables.find((t) => t.name === 'apikey')!
    expect(apikey.columns.find((c) => c.name === 'referenceId')).toEqual({ name: 'referenceId', type: { sameAs: { table: 'user', column: 'id' } }, nullable: false })
    expect(generated!.schema.foreignKeys).toContainEqual({
      table: 'apikey',
      name: 'apikey_referenceId_fk',
      column: 'referenceId',
      references: { table: 'user', column: 'id' },
      onDelete: 'cascade',
    })
    expect(generated!.schema.indexes).toContainEqual({ table: 'apikey', name: 'apikey_referenceId_idx', columns: ['referenceId'] })
    expect(generated!.source.replace(/\n \* /g, ' ')).toContain('with references: "organization", remove that foreign key')
  })

  // Better Auth's adapter suite "findOne - should join a model with modified field name"
  // (test/better-auth-adapter-suites.test.ts): a plugin field referencing a renamed core field.
  it("references a renamed field by its column (fieldName), as Better Auth's own migration does", async () => {
    const options = {
      user: { fields: { email: 'email_address' } },
      plugins: [
        {
          id: 'one-to-one-test',
          schema: {
            oneToOneTable: {
              modelName: 'one_to_one_table',
              fields: { oneToOne: { type: 'string', required: true, references: { field: 'email', model: 'user' }, unique: true, fieldName: 'one_to_one' } },
            },
          },
        },
      ],
    } as const
    const generated = await generateAuthMigration(options as never)
    const table = generated!.schema.tables.find((t) => t.name === 'one_to_one_table')!
    expect(table.columns.find((c) => c.name === 'one_to_one')?.type).toEqual({ sameAs: { table: 'user', column: 'email_address' } })
    expect(generated!.schema.foreignKeys).toEqual([
      { table: 'one_to_one_table', name: 'one_to_one_table_one_to_one_fk', column: 'one_to_one', references: { table: 'user', column: 'email_address' }, onDelete: 'cascade' },
    ])
    expect(generated!.adds).toContain('foreign key one_to_one_table.one_to_one → user.email_address')
  })

  it('finds nothing once the generated migration is among the migrations, and null from generateAuthMigration', async () => {
    const generated = await generateAuthMigration(PLUGIN_AUTH_OPTIONS, { name: 'plugins', now: new Date('2026-12-01T12:00:00Z') })
    expect(generated!.name).toBe('20261201120000_plugins')
    expect(generated!.source).toContain("import { defineSchema } from 'artorizer-auth-db/schema'")
    expect(generated!.source).not.toMatch(/export (async )?function down/) // the default down: the file is plain data
    const dashed = await generateAuthMigration(PLUGIN_AUTH_OPTIONS, { name: 'Add-Plugins', now: new Date('2026-12-01T12:00:00Z') })
    expect(dashed!.name).toBe('20261201120000_add_plugins')
    expect(await generateAuthMigration(PLUGIN_AUTH_OPTIONS, { migrations: { [generated!.name]: { schema: generated!.schema } } })).toBeNull()
  })

  // Renamed core tables and fields, and uuid or serial ids, are the shape's (test/unit/auth-shape.test.ts).
  it.each([
    ['a core column of another type', { user: { additionalFields: { image: { type: 'number' } } } }, /"user"."image" holds a string in the migrations/],
  ])('refuses %s with one line', async (_what, options, message) => {
    const refused = authSchemaGap(options as never, moduleSchemas())
    await expect(refused).rejects.toBeInstanceOf(UnsafeAuthChangeError)
    await expect(refused).rejects.toThrow(message)
  })

  it('names indexes as Better Auth does, long names included', () => {
    const long = 'a_table_with_a_name_long_enough_to_need_the_hash_suffix_of_better_auth'
    for (const [table, columns, unique] of [['user', ['username'], true], ['member', ['userId'], false], [long, ['someColumnName'], false], [long, ['x', 'y'], true]] as const) {
      expect(databaseIndexName(table, columns, unique ? 'uidx' : 'idx')).toBe(getDatabaseIndexName(table, { fields: [...columns], unique }))
    }
    expect(Buffer.byteLength(databaseIndexName(long, ['someColumnName'], 'fk'))).toBeLessThanOrEqual(63)
  })
})

describe('the migration set', () => {
  const plain = { up: async () => {} }
  it('puts the application after the module, in name order', () => {
    const set = migrationSet({ '20261201120000_b': plain, '20261201110000_a': { schema: defineSchema({}) } })
    expect(set.names).toEqual([...MIGRATION_NAMES, '20261201110000_a', '20261201120000_b'])
    expect(set.plannable(set.names).map((m) => m.name)).toEqual([...MIGRATION_NAMES, '20261201110000_a'])
  })
  it.each([
    ['a name of the module', { '0002_artorizer_user_link': plain }, /has the name of one of this module's own/],
    ['a name among the module', { '0002a_early': plain }, new RegExp(`sorts before this module's "${MIGRATION_NAMES.at(-1)}"`)],
    ['neither schema nor up', { '20261201120000_x': {} }, /exports neither `schema`/],
  ])('refuses %s', (_what, app, message) => {
    expect(() => migrationSet(app as never)).toThrow(UsageError)
    expect(() => migrationSet(app as never)).toThrow(message)
  })
  it('refuses a pending migration that sorts before an applied one', () => {
    const set = migrationSet({ '20261201110000_a': plain, '20261201120000_b': plain })
    expect(() => assertRunsInOrder(set, new Set([...set.names.slice(0, 3), '20261201120000_b']), ['20261201110000_a'])).toThrow(
      /"20261201110000_a" sorts before "20261201120000_b", which is already applied/,
    )
    expect(() => assertRunsInOrder(set, new Set(set.names.slice(0, 4)), ['20261201120000_b'])).not.toThrow()
  })
})

describe('migrate:make', () => {
  it('names a migration with a UTC timestamp that sorts after the module’s', () => {
    expect(migrationFileName('add_tags', new Date('2026-12-01T09:08:07.654Z'))).toBe('20261201090807_add_tags')
    expect('20261201090807_add_tags' > '0003_indexes').toBe(true)
  })

  it.each([postgres, mysql])("writes a template whose schema plans cleanly after the module's on a fresh $name database", async (engine) => {
    const name = '20261201090807_artwork_comments'
    const source = migrationTemplate(name, 'artwork_comments')
    const literal = /export const schema = defineSchema\(([\s\S]*?)\)\n\n/.exec(source)![1]!
    const schema = defineSchema(new Function(`return (${literal})`)() as MigrationSchema)
    const db = offlineDb(engine)
    const plans = await planMigrations(CatalogSnapshot.fresh(engine), [...migrationSet().plannable(migrationSet().names), { name, schema }], db)
    const own = plans.at(-1)!
    expect(own.findings).toEqual([])
    expect(own.steps.map((s) => s.action.kind)).toEqual(['createTable', 'addColumn', 'createIndex', 'addForeignKey'])
    // user_id copies user.id exactly: on MySQL its character set and collation too.
    expect(own.steps[0]!.statements[0]).toContain(engine.name === 'mysql' ? '`user_id` varchar(255) character set utf8mb4 collate utf8mb4_bin not null' : '"user_id" text not null')
    await db.destroy()
  })

  it('renders literals TypeScript reads back', () => {
    const value = { a: "it's", 'b-c': 'x\\y', d: [1, true, { e: 'q"q' }], long: 'x'.repeat(120) }
    expect(new Function(`return (${toTypeScriptLiteral(value)})`)()).toEqual(value)
  })
})
