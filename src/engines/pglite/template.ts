/**
 * A new embedded database starts as a copy of an initialised data folder made once per machine
 * (per PGlite version), instead of running PGlite's initdb each time: initdb is most of a first
 * `migrate:latest` (6-8 s here), a copy of the 40 MB folder a fraction of a second.
 *
 * The template is what `new PGlite(folder)` leaves on a new folder, closed cleanly: a PostgreSQL
 * data directory, which does not depend on where it lives. It is kept in
 * `$XDG_CACHE_HOME/artorizer-auth-db/` (else `~/.cache/artorizer-auth-db/`), or in
 * `ARTORIZER_AUTH_DB_CACHE_DIR`; a folder is copied rather than loaded with PGlite's
 * `loadDataDir` tarball because PGlite then only reads what it finds (no untar in WASM).
 * Where no cache folder can be written the database is initialised in place, as before.
 *
 * Processes making the template at once each build their own and rename it into place; the
 * first rename wins and the others use it.
 */
import { constants, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { randomBytes } from 'node:crypto'

/** Present in a finished template (written last), so that a half-made one is never copied. */
const READY_MARK = 'artorizer-template-ready'

/** Files of ours that are never copied into a database folder. */
const NOT_COPIED = new Set([READY_MARK, 'artorizer-auth-db.lock'])

/** Whether `dataDir` holds a PGlite database (PostgreSQL writes `PG_VERSION` when it initialises a folder). */
export function holdsDatabase(dataDir: string): boolean {
  return existsSync(join(dataDir, 'PG_VERSION'))
}

/** Where this machine keeps the template for the installed PGlite, or undefined when there is no home to keep it in. */
export function templateDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const base = env.ARTORIZER_AUTH_DB_CACHE_DIR || (env.XDG_CACHE_HOME ? join(env.XDG_CACHE_HOME, 'artorizer-auth-db') : homeCache())
  return base ? join(base, `pglite-${pgliteVersion()}-data`) : undefined
}

function homeCache(): string | undefined {
  const home = homedir()
  return home ? join(home, '.cache', 'artorizer-auth-db') : undefined
}

/** The installed PGlite's version: a template made by another version is not used. */
function pgliteVersion(): string {
  const require = createRequire(import.meta.url)
  // The package exports no package.json: find it beside the entry it resolves to (dist/index.cjs).
  const entry = require.resolve('@electric-sql/pglite')
  for (let dir = dirname(entry); dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, 'package.json')
    if (!existsSync(file)) continue
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string }
    if (manifest.name === '@electric-sql/pglite') return manifest.version ?? 'unknown'
  }
  return 'unknown'
}

/** Whether a finished template is there (so that filling a folder from it is quick). */
export function templateReady(template: string): boolean {
  return existsSync(join(template, READY_MARK))
}

/**
 * Makes the template at `template` if it is not there yet: initialises a PGlite folder beside
 * it, closes it, and renames it into place. Resolves once a finished template is there.
 */
export async function ensureTemplate(template: string): Promise<void> {
  if (templateReady(template)) return
  mkdirSync(dirname(template), { recursive: true })
  const building = `${template}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  try {
    const { PGlite } = await import('@electric-sql/pglite')
    const pg = new PGlite(building)
    await pg.waitReady
    await pg.close()
    // Written last: a template without it (a crash mid-way) is never used.
    writeFileSync(join(building, READY_MARK), 'made by artorizer-auth-db: a fresh PGlite data folder, copied into new embedded databases\n')
    try {
      renameSync(building, template)
    } catch (error) {
      // Another process finished first (its template is as good as ours), or a broken one is in the way.
      if (!templateReady(template)) {
        rmSync(template, { recursive: true, force: true })
        renameSync(building, template)
      } else if (!['ENOTEMPTY', 'EEXIST', 'EPERM'].includes((error as { code?: string }).code ?? '')) throw error
    }
  } finally {
    rmSync(building, { recursive: true, force: true })
  }
}

/** Fills the (empty, or holding only our lock file) folder `dataDir` from the template. */
export function copyTemplate(template: string, dataDir: string): void {
  cpSync(template, dataDir, {
    recursive: true,
    // A copy-on-write clone where the file system offers one (btrfs, XFS, APFS); a copy elsewhere.
    mode: constants.COPYFILE_FICLONE,
    filter: (source) => !NOT_COPIED.has(source.slice(template.length + 1)),
  })
}
