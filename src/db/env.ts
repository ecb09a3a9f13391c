import { config as loadDotenv } from 'dotenv'

/**
 * The `DATABASE_URL` to use: the process environment first, then a `.env` file in the
 * working directory (dotenv never overrides a variable that is already set).
 */
export function databaseUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env === process.env) loadDotenv({ quiet: true })
  return env.DATABASE_URL
}
