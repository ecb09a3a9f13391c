/**
 * Writes `docs/schema.md` from freshly migrated databases: `npm run docs:schema`.
 *
 * - PostgreSQL: an in-memory PGlite, so no server is needed.
 * - MySQL: a database of its own, created on the server named by `DOCS_MYSQL_URL` (or
 *   `TEST_MYSQL_URL`, the tests' server) and dropped at the end.
 *
 * `--check` writes nothing and exits 1 when the document is out of date.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import { connectDatabase, migrateToLatest, type AuthDatabase } from '../src/index.js'
import { redactUrl } from '../src/tools.js'
import { describeError } from '../src/errors.js'
import { serverVersion } from '../src/ddl/introspect.js'
import { mysqlFamily, readSchema, renderDocument, type MysqlFamily, type SchemaModel } from './schema-doc.js'

const DOCUMENT = fileURLToPath(new URL('../docs/schema.md', import.meta.url))

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } })
  const mysqlServer = process.env.DOCS_MYSQL_URL || process.env.TEST_MYSQL_URL
  if (!mysqlServer) {
    console.error('❌ set DOCS_MYSQL_URL (or TEST_MYSQL_URL) to a MySQL or MariaDB server, e.g. mysql://root@127.0.0.1:3306/test; a database of its own is created there and dropped')
    return 2
  }
  const postgres = await withDatabase(await connectDatabase({ url: 'pglite:memory' }), migratedSchema)
  const mysql = await withMysqlDatabase(mysqlServer)
  const document = renderDocument({ postgres, mysql: mysql.model, mysqlServer: mysql.family })

  const current = readCurrent()
  if (values.check) {
    if (current === document) return 0
    console.error('❌ docs/schema.md is out of date with the migrations; run npm run docs:schema')
    return 1
  }
  if (current === document) {
    console.log('✅ docs/schema.md is up to date')
  } else {
    writeFileSync(DOCUMENT, document)
    console.log(`✅ wrote docs/schema.md (MySQL part from ${mysql.family} at ${redactUrl(mysqlServer)})`)
  }
  return 0
}

async function migratedSchema(database: AuthDatabase): Promise<SchemaModel> {
  await migrateToLatest(database.db)
  return readSchema(database.db)
}

async function withDatabase<T>(database: AuthDatabase, body: (database: AuthDatabase) => Promise<T>): Promise<T> {
  try {
    return await body(database)
  } finally {
    await database.db.destroy()
  }
}

/** Migrates a new database on the server, reads it, and drops it. */
async function withMysqlDatabase(serverUrl: string): Promise<{ model: SchemaModel; family: MysqlFamily }> {
  const name = `docs_schema_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  const admin = await connectDatabase({ url: serverUrl })
  try {
    await sql`create database ${sql.id(name)}`.execute(admin.db)
    try {
      return await withDatabase(await connectDatabase({ url: url.toString() }), async (database) => ({
        model: await migratedSchema(database),
        family: mysqlFamily(await serverVersion(database.db)),
      }))
    } finally {
      await sql`drop database if exists ${sql.id(name)}`.execute(admin.db)
    }
  } finally {
    await admin.db.destroy()
  }
}

function readCurrent(): string | undefined {
  try {
    return readFileSync(DOCUMENT, 'utf8')
  } catch {
    return undefined
  }
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error(`❌ ${describeError(error)}`)
    if (process.env.DEBUG && error instanceof Error) console.error(error.stack)
    process.exitCode = 1
  },
)
