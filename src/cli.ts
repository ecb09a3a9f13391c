#!/usr/bin/env node
/**
 * The command line's entry point (the package's bin). What it does is in `cli/program.ts`;
 * this file only starts it when it is the program being run.
 */
import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { main } from './cli/program.js'
import { errorLine } from './cli/output.js'
import { describeError } from './errors.js'

export { main }

/** True when this file is the program being run (also through npm's bin symlink). */
function isEntryPoint(): boolean {
  const script = process.argv[1]
  if (!script) return false
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

/**
 * Runs the CLI as the program: exit code into `process.exitCode`, and a reader that goes away
 * (`| head`) ends it quietly. Also called by `scripts/cli.mjs`, the npm scripts' launcher.
 */
export function start(argv: readonly string[]): Promise<void> {
  // `artorizer-auth-db migrate:status | head` closes our stdout early: stop quietly, as other
  // command-line tools do, instead of crashing on EPIPE with a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw error
  })
  return main(argv).then(
    (code) => {
      process.exitCode = code
    },
    (error: unknown) => {
      console.error(errorLine(describeError(error)))
      process.exitCode = 1
    },
  )
}

if (isEntryPoint()) void start(process.argv.slice(2))
