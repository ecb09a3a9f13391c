/**
 * How a person runs one of this module's commands, for messages that say "run … migrate:latest".
 *
 * The same message reaches people three ways: a developer of this repository runs
 * `npm run migrate:latest`, an operator runs the package's bin (`artorizer-auth-db migrate:latest`,
 * perhaps through `npx`), and router-backend's boot log shows an error from `migrateToLatest`.
 * Each should be told the form that works where they are.
 */

/** The package's bin, as `package.json` names it. */
export const BIN_NAME = 'artorizer-auth-db'
const PACKAGE_NAME = 'artorizer-auth-db'

export type InvocationStyle = 'npm-script' | 'bin' | 'library'

let style: InvocationStyle | undefined

/**
 * Called by the CLI at start: the command line of a running CLI process decides the style.
 * `npm run migrate:latest` in this package sets `npm_lifecycle_event=migrate:latest` and
 * `npm_package_name` (npm does, for every script); anything else (the bin, `npx`, a script of
 * another name such as `npm test` starting the CLI) is the bin. Without a call (library use),
 * the style is `library`.
 */
export function rememberInvocation(isCommand: (name: string) => boolean, env: NodeJS.ProcessEnv = process.env): InvocationStyle {
  const event = env.npm_lifecycle_event
  style = event && env.npm_package_name === PACKAGE_NAME && isCommand(event) ? 'npm-script' : 'bin'
  return style
}

/**
 * `command` (e.g. `migrate:latest`, with optional arguments) written the way the user runs it:
 * `npm run migrate:latest -- --check`, `artorizer-auth-db migrate:latest --check`, or, from
 * library code, `npx artorizer-auth-db migrate:latest --check`.
 */
export function howToRun(command: string, args = '', current: InvocationStyle = style ?? 'library'): string {
  const tail = args ? ` ${args}` : ''
  switch (current) {
    case 'npm-script':
      return `npm run ${command}${args ? ` --${tail}` : ''}`
    case 'bin':
      return `${BIN_NAME} ${command}${tail}`
    default:
      return `npx ${BIN_NAME} ${command}${tail}`
  }
}
