/**
 * `docs/schema.md` against the migrations: each database is migrated from empty, read back
 * through the catalog, rendered again, and compared with its section of the document. PGlite
 * and PostgreSQL are both compared with the PostgreSQL section (and the diagram), so the
 * document, read from PGlite, is proven to hold for a PostgreSQL server too.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { migrateToLatest, type AuthDatabase } from '../src/index.js'
import { serverVersion } from '../src/ddl/introspect.js'
import { documentedMysqlFamily, extractSection, mysqlFamily, readSchema, renderSection, type SchemaModel, type SectionId } from '../scripts/schema-doc.js'
import { createTestDatabase, describeEachDatabase, type TestDatabase } from './support/databases.js'

const DOCUMENT = readFileSync(fileURLToPath(new URL('../docs/schema.md', import.meta.url)), 'utf8')
const STALE = 'docs/schema.md is out of date with the migrations: run `TEST_MYSQL_URL=... npm run docs:schema` and commit it'

describeEachDatabase('docs/schema.md', (kind) => {
  let testDb: TestDatabase
  let database: AuthDatabase
  let model: SchemaModel

  beforeAll(async () => {
    testDb = await createTestDatabase(kind)
    database = await testDb.connect()
    await migrateToLatest(database.db)
    model = await readSchema(database.db)
  })
  afterAll(async () => {
    await database?.db.destroy()
    await testDb?.drop()
  })

  const sections: SectionId[] = kind === 'mysql' ? ['mysql'] : ['diagram', 'postgres']
  for (const id of sections) {
    it(`has an up-to-date ${id} section`, async (context) => {
      const documented = extractSection(DOCUMENT, id)
      expect(documented, `docs/schema.md has no "${id}" section; run npm run docs:schema`).toBeDefined()
      if (id === 'mysql') {
        // MySQL 8 and MariaDB print a few types and defaults differently: compare like with like.
        const family = mysqlFamily(await serverVersion(database.db))
        const documentedFamily = documentedMysqlFamily(DOCUMENT)
        if (family !== documentedFamily) context.skip(`the MySQL section was read from ${documentedFamily}; this server is ${family}`)
        expect(renderSection(id, model, family), STALE).toBe(documented)
      } else {
        expect(renderSection(id, model, 'MariaDB'), STALE).toBe(documented)
      }
    })
  }

  it('lists every table the migrations made, bookkeeping apart', () => {
    expect(model.tables.map((t) => t.name)).toEqual(['account', 'artwork_jobs', 'session', 'user', 'verification'])
    expect(model.bookkeeping.map((t) => t.name)).toEqual(['artorizer_auth_shape', 'artorizer_migration_checksums', 'artorizer_schema_objects', 'kysely_migration', 'kysely_migration_lock'])
  })
})

it('finds a stale section: one changed column differs from the document', () => {
  const documented = extractSection(DOCUMENT, 'postgres')!
  expect(documented.replace('| `job_id` | `text` | no |', '| `job_id` | `text` | yes |')).not.toBe(documented)
  expect(extractSection('no markers here', 'postgres')).toBeUndefined()
})
