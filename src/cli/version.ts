/**
 * The package's version for `--version`, read from its `package.json`. The CLI runs from
 * `src/` (tests), `dist/` (the package) or a bundle under `node_modules/.cache/` (the npm
 * scripts), so the file is found by walking up from this module to the package that names it.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const PACKAGE_NAME = 'artorizer-auth-db'

export function packageVersion(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json')
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string }
      if (manifest.name === PACKAGE_NAME && manifest.version) return manifest.version
    }
    if (dirname(dir) === dir) return 'unknown'
  }
}
