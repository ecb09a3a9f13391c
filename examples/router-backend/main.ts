/**
 * Runs the example router-backend: `npm run example:router-backend`.
 *
 * Environment (and `.env`):
 * - `DATABASE_URL`: as for the CLI; unset means embedded PGlite in `./.data/pglite`
 * - `BETTER_AUTH_SECRET` (required): at least 32 random characters, e.g. `openssl rand -base64 32`
 * - `BETTER_AUTH_URL`: the public URL, when it is not `http://<HOST>:<PORT>`
 * - `PORT` (default 3000), `HOST` (default 127.0.0.1)
 * - `MIGRATIONS=check`: do not migrate; refuse to start while migrations are pending
 */
import { config as loadDotenv } from 'dotenv'
import { startServer, type MigrationMode } from './server.js'

async function main(): Promise<number> {
  loadDotenv({ quiet: true })
  const env = process.env
  const secret = env.BETTER_AUTH_SECRET
  if (!secret || secret.length < 32) {
    console.error('❌ set BETTER_AUTH_SECRET to at least 32 random characters (openssl rand -base64 32)')
    return 2
  }
  const mode = env.MIGRATIONS ?? 'apply'
  if (mode !== 'apply' && mode !== 'check') {
    console.error(`❌ MIGRATIONS is "${mode}"; use "apply" (the default) or "check"`)
    return 2
  }
  const port = Number(env.PORT ?? 3000)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`❌ PORT is "${env.PORT}"; use a port number`)
    return 2
  }

  let server
  try {
    server = await startServer({
      url: env.DATABASE_URL,
      port,
      host: env.HOST,
      secret,
      baseURL: env.BETTER_AUTH_URL,
      migrations: mode as MigrationMode,
    })
  } catch (error) {
    console.error(`❌ not starting: ${error instanceof Error ? error.message : String(error)}`)
    if (env.DEBUG && error instanceof Error) console.error(error.stack)
    return 1
  }
  const migrated = server.migrated.map((step) => step.name).join(', ')
  console.log(`✅ migrations at boot: ${migrated || 'none, the database is up to date'}`)
  console.log(`✅ listening on ${server.url} (Better Auth at ${server.url}/api/auth/*)`)

  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  return 0
}

main().then((code) => {
  if (code !== 0) process.exitCode = code
})
