/**
 * Imports one of the application's files (`auth.config.ts`, a migration), TypeScript or not.
 *
 * Native `import()` first: it works for `.js`/`.mjs` always, and for `.ts` where a TypeScript
 * loader is already active (tsx, vitest) or Node strips types itself (22.18+, 24). Loading
 * natively keeps one instance of every package the file imports (`artorizer-auth-db`, Kysely,
 * Better Auth) shared with the caller. Otherwise (Node 20, older 22) jiti compiles the file: a
 * well-kept, dependency-free loader, and a runtime dependency because the packed CLI must load a
 * consumer's TypeScript without tsx.
 *
 * In this repository itself, unbuilt (a fresh clone), a file that imports `artorizer-auth-db` or
 * one of its subpaths (what `migrate:make` writes imports `artorizer-auth-db/schema`) reaches the
 * package by self-reference, whose `exports` name `dist/`, which does not exist. There, and only
 * there, jiti loads the file with those names mapped to the sources (see {@link sourceAliases}).
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'

const TYPESCRIPT = /\.(c|m)?tsx?$/

/** Error codes with which Node's own loader declines a TypeScript file. */
const DECLINED = new Set(['ERR_UNKNOWN_FILE_EXTENSION', 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX', 'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING', 'ERR_MODULE_NOT_FOUND', 'ERR_INVALID_TYPESCRIPT_SYNTAX'])

const PACKAGE_NAME = 'artorizer-auth-db'

const SHARED_PACKAGES = [PACKAGE_NAME, 'kysely', 'better-auth', '@better-auth/core', 'better-call']

/** The module namespace of `file` (an absolute path). */
export async function importModule(file: string): Promise<Record<string, unknown>> {
  const alias = sourceAliases(file)
  // A native import cannot apply the aliases, so a file that names the package goes to jiti
  // directly: Node's loader would fail with ERR_MODULE_NOT_FOUND (caught below), but another
  // loader (vitest's, tsx's) may fail otherwise, or resolve the name its own way.
  if (!alias || !namesPackage(file)) {
    try {
      return (await import(pathToFileURL(file).href)) as Record<string, unknown>
    } catch (error) {
      const code = (error as { code?: string }).code
      const declined = error instanceof SyntaxError || (code !== undefined && DECLINED.has(code))
      // With the package unbuilt, a native import of a file that reaches it through another file
      // fails for want of dist/ (ERR_MODULE_NOT_FOUND), whatever its extension: jiti, aliased, then.
      if (!declined || (!TYPESCRIPT.test(file) && !alias)) throw error
    }
  }
  const { createJiti } = await import('jiti')
  // The packages the file shares with the caller load natively (jiti's `import` of them is
  // Node's), one instance with the caller's: `engineOf` tells engines apart by Kysely's adapter
  // class. Kysely stays one instance under the aliases too: the sources they map to import it by
  // name, natively. The module's own code, though, is then loaded a second time (its sources, not
  // the caller's bundle): harmless for what `migrate:make` writes, schema data built by
  // `defineSchema` and handed back to the caller's planner, and `engineOf` recognises the
  // caller's adapters by brand and class name as well, for a plain migration calling `ensureIndex`.
  const jiti = createJiti(pathToFileURL(file).href, { interopDefault: false, moduleCache: true, nativeModules: SHARED_PACKAGES, ...(alias ? { alias } : {}) })
  return (await jiti.import(file)) as Record<string, unknown>
}

/** Whether `file`'s text names the package in quotes, as an import of it or of a subpath does. */
function namesPackage(file: string): boolean {
  return new RegExp(`['"]${PACKAGE_NAME}(/[^'"]*)?['"]`).test(readFileSync(file, 'utf8'))
}

/**
 * `artorizer-auth-db`'s entry points mapped to their TypeScript sources, as `file` would reach
 * them, when the package it reaches is an unbuilt checkout: for each entry of its `exports` whose
 * compiled file (`./dist/<x>.js`) is missing and whose source (`./src/<x>.ts`, tsc's `rootDir`
 * for `outDir`) exists. Undefined otherwise: an installed package (dist/ is what it ships), a
 * built checkout, or a file that does not reach the package at all load exactly as they would.
 */
export function sourceAliases(file: string): Record<string, string> | undefined {
  let manifestFile: string
  try {
    // The package `file` reaches by name: by self-reference in this repository, from node_modules elsewhere.
    manifestFile = createRequire(file).resolve(`${PACKAGE_NAME}/package.json`)
  } catch {
    return undefined
  }
  const root = dirname(manifestFile)
  let exports: unknown
  try {
    exports = (JSON.parse(readFileSync(manifestFile, 'utf8')) as { exports?: unknown }).exports
  } catch {
    return undefined
  }
  if (typeof exports !== 'object' || exports === null) return undefined
  const alias: Record<string, string> = {}
  for (const [subpath, target] of Object.entries(exports as Record<string, unknown>)) {
    const compiled = typeof target === 'string' ? target : (target as { default?: unknown } | null)?.default
    const match = typeof compiled === 'string' ? /^\.\/dist\/(.+)\.js$/.exec(compiled) : null
    if (!match) continue
    const source = join(root, 'src', `${match[1]}.ts`)
    if (existsSync(join(root, compiled as string)) || !existsSync(source)) continue
    alias[PACKAGE_NAME + subpath.slice(1)] = source
  }
  return Object.keys(alias).length > 0 ? alias : undefined
}
