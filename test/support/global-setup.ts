/**
 * Finds the database servers the tests run against.
 *
 * TEST_POSTGRES_URL and TEST_MYSQL_URL name servers (any database on them: each test file
 * creates and drops databases of its own). When one is unset outside CI and a container runtime
 * is there, testcontainers starts the server; otherwise that dialect's suites are skipped with
 * a message. In CI (CI=true) an unreachable or unset server fails the suites instead.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { dropLeftovers } from './leftovers.js'

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | null
    mysqlUrl: string | null
    unavailable: Record<string, string>
    pgliteTemplate: string
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<unknown>> = []
  const unavailable: Record<string, string> = {}
  let postgresUrl = process.env.TEST_POSTGRES_URL || null
  let mysqlUrl = process.env.TEST_MYSQL_URL || null

  if ((!postgresUrl || !mysqlUrl) && !process.env.CI) {
    const runtime = await containerRuntime()
    if (runtime === true) {
      if (!postgresUrl) {
        const { PostgreSqlContainer } = await import('@testcontainers/postgresql')
        const container = await new PostgreSqlContainer('postgres:16-alpine').start()
        stops.push(() => container.stop())
        postgresUrl = container.getConnectionUri()
      }
      if (!mysqlUrl) {
        const { MySqlContainer } = await import('@testcontainers/mysql')
        const container = await new MySqlContainer('mysql:8.4').withRootPassword('root').start()
        stops.push(() => container.stop())
        mysqlUrl = `mysql://root:root@${container.getHost()}:${container.getPort()}/${container.getDatabase()}`
      }
    } else {
      if (!postgresUrl) unavailable.postgres = `TEST_POSTGRES_URL is not set and ${runtime}`
      if (!mysqlUrl) unavailable.mysql = `TEST_MYSQL_URL is not set and ${runtime}`
    }
  }
  for (const [kind, reason] of Object.entries(unavailable)) console.warn(`⚠️  skipping ${kind} suites: ${reason}`)

  // An initialised, empty PGlite folder that test databases copy: a new folder costs PGlite an
  // initdb (seconds of CPU), a copy a fraction of a second.
  const pgliteTemplate = mkdtempSync(join(tmpdir(), 'artorizer-pglite-template-'))
  const { PGlite } = await import('@electric-sql/pglite')
  await (await PGlite.create(pgliteTemplate)).close()
  stops.push(async () => rmSync(pgliteTemplate, { recursive: true, force: true }))
  project.provide('pgliteTemplate', pgliteTemplate)

  project.provide('postgresUrl', postgresUrl)
  project.provide('mysqlUrl', mysqlUrl)
  project.provide('unavailable', unavailable)
  // What interrupted runs left behind (only what is provably dead: other runs may share the
  // servers), at the start; and at the end, this run's own that a killed worker did not drop.
  const servers = { postgres: postgresUrl, mysql: mysqlUrl }
  const dropped = await dropLeftovers(servers)
  if (dropped.length > 0) console.warn(`🧹 dropped ${dropped.length} test databases left by earlier runs`)
  return async () => {
    await dropLeftovers(servers, { alsoMine: true })
    await Promise.all(stops.map((stop) => stop()))
  }
}

/** `true`, or why no container can be started here. */
async function containerRuntime(): Promise<true | string> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers')
    await getContainerRuntimeClient()
    return true
  } catch {
    return 'no container runtime was found for testcontainers'
  }
}
