/**
 * The shape of a CLI command. Each command is one file in this folder, a thin layer over the
 * exported API; `src/cli.ts` parses the arguments and hands a command what it asked for.
 */
import type { ParseArgsConfig } from 'node:util'
import type { AuthDatabase } from '../db/connect.js'

export type OptionSpec = NonNullable<ParseArgsConfig['options']>

/** Parsed option values, by option name. */
export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>

export interface CommandContext {
  readonly database: AuthDatabase
  readonly options: OptionValues
  readonly positionals: readonly string[]
  readonly out: Output
}

export interface Command {
  /** One line for the usage text. */
  readonly summary: string
  /** Extra usage lines describing the options. */
  readonly help?: readonly string[]
  readonly options?: OptionSpec
  /** How many positional arguments the command takes (default none). */
  readonly maxPositionals?: number
  /** Checks the options before any connection is opened; returns an error message or nothing. */
  validate?(options: OptionValues, positionals: readonly string[]): string | undefined
  /** Resolves with the exit code when it is not 0 (a check that found problems); throws on failure. */
  run(context: CommandContext): Promise<void | number>
  /**
   * Set instead of `run` by commands that need no database connection (they may still read
   * `DATABASE_URL`, e.g. for its dialect). The CLI then opens nothing.
   */
  runOffline?(context: OfflineContext): Promise<void>
}

/** What a command that needs no connection is given. */
export interface OfflineContext {
  readonly options: OptionValues
  readonly positionals: readonly string[]
  readonly out: Output
  /** The raw `DATABASE_URL` (environment, then `.env`), if any. */
  readonly databaseUrl: string | undefined
}

/** Where a command writes: human lines, or one JSON document with `--json`. */
export interface Output {
  readonly json: boolean
  /** Whether stdout is a terminal a person watches (progress may be shown). */
  readonly interactive: boolean
  line(text: string): void
  result(value: unknown): void
}

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
