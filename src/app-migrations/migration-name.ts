/**
 * The short name `migrate:make <name>` gives a migration (what follows its timestamp prefix):
 * the name as people type it (`add-plugins`, `AddPlugins`, `addPlugins`, `"add plugins"`,
 * `Add-Artwork-Shares`), in snake_case (`add_plugins`, `add_artwork_shares`), as kysely-ctl and
 * Prisma take them.
 *
 * Written by hand rather than with a case-conversion library (change-case, lodash): those split
 * `OAuth` into `o_auth` and keep letters outside ASCII, so the rule would need the word list and
 * the checks below anyway, and what is left is three regular expressions, not worth a run-time
 * dependency of the published package.
 */
import { UsageError } from '../errors.js'

/**
 * Words written in mixed case that are one word, not two (`OAuth` is not `o_auth`). Each is
 * read as if capitalised once (`Oauth`) before the name is split into words.
 */
const MIXED_CASE_WORDS = ['OAuth', 'OpenID', 'WebAuthn', 'GitHub', 'GitLab', 'LinkedIn', 'PostgreSQL', 'MySQL', 'MariaDB', 'PGlite', 'SQLite']

/**
 * The longest short name: the template names its index `<name>_user_id_created_at_idx`, which
 * must fit PostgreSQL's 63-byte identifiers (MySQL's are 64).
 */
export const MAX_MIGRATION_NAME_LENGTH = 40

const EXAMPLE = 'e.g. migrate:make add_artwork_shares'

/**
 * `input` as a migration's short name: ASCII words in lower case joined by `_`, starting with a
 * letter. Words are split at spaces, punctuation (`-`, `_`, `.`, …) and case changes, with
 * acronyms kept whole (`HTTPHeaders` → `http_headers`, `addOAuthTables` → `add_oauth_tables`).
 *
 * @throws {UsageError} (one line: what is wrong and what to type) for a name with no letters or
 * digits, with characters outside ASCII, that would start with a digit, or longer than
 * {@link MAX_MIGRATION_NAME_LENGTH}.
 */
export function migrationShortName(input: string): string {
  const refuse = (why: string) => new UsageError(`${JSON.stringify(input)} is not a migration name: ${why}`)
  if (/[^\x00-\x7f]/.test(input)) throw refuse(`use ASCII letters and digits, words apart with spaces, - or _ (${EXAMPLE})`)
  let text = input
  for (const word of MIXED_CASE_WORDS) text = text.replaceAll(word, word[0]!.toUpperCase() + word.slice(1).toLowerCase())
  const name = text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2') // addPlugins → add Plugins
    .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2') // HTTPHeaders → HTTP Headers
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .join('_')
    .toLowerCase()
  if (name === '') throw refuse(`it has no letters or digits; name the change (${EXAMPLE})`)
  if (!/^[a-z]/.test(name)) throw refuse(`start it with a letter (e.g. add_${name})`)
  if (name.length > MAX_MIGRATION_NAME_LENGTH) {
    throw refuse(`${name} is ${name.length} characters long; shorten it to ${MAX_MIGRATION_NAME_LENGTH} or fewer`)
  }
  return name
}
