/**
 * Runs the CLI as a user would: a separate Node process, `DATABASE_URL` in its environment.
 * The CLI is bundled once with esbuild (see `bundled-cli.ts`), which starts twice as fast as
 * tsx in every process.
 */
export { runCli, type ProcessResult as CliResult } from './bundled-cli.js'
