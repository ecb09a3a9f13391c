/** Better Auth's options for tests: email and password on, a fixed secret, no log noise. */
export const TEST_AUTH_OPTIONS = {
  secret: 'test-secret-that-is-long-enough-for-better-auth',
  baseURL: 'http://localhost:3000',
  emailAndPassword: { enabled: true },
  logger: { disabled: true },
} as const
