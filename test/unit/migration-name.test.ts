/** `migrate:make <name>`'s rule for names (no database): what people type, in snake_case. */
import { describe, expect, it } from 'vitest'
import { MAX_MIGRATION_NAME_LENGTH, migrationShortName } from '../../src/app-migrations/migration-name.js'
import { UsageError } from '../../src/errors.js'

describe('migrationShortName', () => {
  it.each([
    ['add_plugins', 'add_plugins'],
    ['add-plugins', 'add_plugins'],
    ['AddPlugins', 'add_plugins'],
    ['addPlugins', 'add_plugins'],
    ['add plugins', 'add_plugins'],
    ['  add  plugins ', 'add_plugins'],
    ['Add-Artwork-Shares', 'add_artwork_shares'],
    ['add_artwork_shares', 'add_artwork_shares'],
    ['add--artwork__shares.', 'add_artwork_shares'],
    ['ADD_PLUGINS', 'add_plugins'],
    ['addOAuthTables', 'add_oauth_tables'],
    ['OAuthTables', 'oauth_tables'],
    ['HTTPHeaders', 'http_headers'],
    ['addAPIKeys', 'add_api_keys'],
    ['addApiKey2', 'add_api_key2'],
    ['add2FA', 'add2_fa'],
    ['enableWebAuthn', 'enable_webauthn'],
    ['username_plugin', 'username_plugin'],
  ])('%j → %s', (input, expected) => {
    expect(migrationShortName(input)).toBe(expected)
  })

  it.each([
    ['', /"" is not a migration name: it has no letters or digits; name the change \(e\.g\. migrate:make add_artwork_shares\)/],
    ['---', /"---" is not a migration name: it has no letters or digits/],
    ['  ', /has no letters or digits/],
    ['2fa', /"2fa" is not a migration name: start it with a letter \(e\.g\. add_2fa\)/],
    ['_1_add', /start it with a letter/],
    ['crème', /"crème" is not a migration name: use ASCII letters and digits/],
    ['a'.repeat(MAX_MIGRATION_NAME_LENGTH + 1), new RegExp(`is ${MAX_MIGRATION_NAME_LENGTH + 1} characters long; shorten it to ${MAX_MIGRATION_NAME_LENGTH} or fewer`)],
  ])('refuses %j in one line', (input, message) => {
    expect(() => migrationShortName(input)).toThrow(UsageError)
    expect(() => migrationShortName(input)).toThrow(message)
    try {
      migrationShortName(input)
    } catch (error) {
      expect((error as Error).message).not.toContain('\n')
    }
  })

  it('accepts the longest name', () => {
    expect(migrationShortName('a'.repeat(MAX_MIGRATION_NAME_LENGTH))).toHaveLength(MAX_MIGRATION_NAME_LENGTH)
  })
})
