/**
 * Better Auth as a real deployment configures it: organization (with teams), two-factor, admin,
 * username, passkey and API keys, and `user.additionalFields` of several types.
 */
import { passkey } from '@better-auth/passkey'
import { apiKey } from '@better-auth/api-key'
import type { BetterAuthOptions } from 'better-auth'
import { admin, organization, twoFactor, username } from 'better-auth/plugins'
import { TEST_AUTH_OPTIONS } from './auth-options.js'

export const PLUGIN_AUTH_OPTIONS = {
  ...TEST_AUTH_OPTIONS,
  appName: 'Artorizer',
  user: {
    deleteUser: { enabled: true },
    additionalFields: {
      plan: { type: 'string', required: true, defaultValue: 'free', input: false },
      credits: { type: 'number', required: false },
      marketingOptIn: { type: 'boolean', required: true, defaultValue: false },
      lastExportAt: { type: 'date', required: false },
      favoriteTags: { type: 'string[]', required: false },
      preferences: { type: 'json', required: false },
    },
  },
  plugins: [organization({ teams: { enabled: true } }), twoFactor(), admin(), username(), passkey(), apiKey()],
} satisfies Omit<BetterAuthOptions, 'database'>
