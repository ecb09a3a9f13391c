/**
 * Imports one of the application's files (`auth.config.ts`, a migration), TypeScript or not.
 *
 * Native `import()` first: it works for `.js`/`.mjs` always, and for `.ts` where a TypeScript
 * loader is already active (tsx, vitest) or Node strips types itself (22.18+, 24). Loading
 * natively keeps one instance of every package the file imports (`artorizer-auth-db`, Kysely,
 * Better Auth) shared with the caller. Otherwise (Node 20, older 22) jiti compiles the file: a
 * well-kept, dependency-free loader, and a runtime dependency because the packed CLI must load a
 * consumer's TypeScript without tsx.
 */
import { pathToFileURL } from 'node:url'

const TYPESCRIPT = /\.(c|m)?tsx?$/

/** Error codes with which Node's own loader declines a TypeScript file. */
const DECLINED = new Set(['ERR_UNKNOWN_FILE_EXTENSION', 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX', 'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING', 'ERR_MODULE_NOT_FOUND', 'ERR_INVALID_TYPESCRIPT_SYNTAX'])

const SHARED_PACKAGES = ['artorizer-auth-db', 'kysely', 'better-auth', '@better-auth/core', 'better-call']

/** The module namespace of `file` (an absolute path). */
export async function importModule(file: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>
  } catch (error) {
    const code = (error as { code?: string }).code
    if (!TYPESCRIPT.test(file) || !(error instanceof SyntaxError || (code !== undefined && DECLINED.has(code)))) throw error
  }
  const { createJiti } = await import('jiti')
  // The packages the file shares with the caller load natively (require of an ES module, one
  // instance with the caller's import): `engineOf` tells engines apart by Kysely's adapter class.
  const jiti = createJiti(pathToFileURL(file).href, { interopDefault: false, moduleCache: true, nativeModules: SHARED_PACKAGES })
  return (await jiti.import(file)) as Record<string, unknown>
}
