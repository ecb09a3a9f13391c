/**
 * Opening the embedded database (PGlite, imported only when it is used), in a folder that one
 * process at a time may hold, or in memory. A new folder is filled from the machine's template
 * (see `template.ts`) rather than initialised from scratch.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Dialect } from 'kysely'
import { ConnectionError } from '../../errors.js'
import type { EmbeddedDatabaseOptions } from '../engine.js'
import { PGliteDialect } from './dialect.js'
import { isLockEntry, lockPgliteFolder } from './folder-lock.js'
import { copyTemplate, ensureTemplate, holdsDatabase, templateDir, templateReady } from './template.js'
import { howToRun } from '../../invocation.js'

export async function createPgliteDialect(dataDir: string | undefined, options: EmbeddedDatabaseOptions = {}): Promise<Dialect> {
  let unlock: (() => void) | undefined
  return new PGliteDialect({
    pglite: async () => {
      if (dataDir) {
        const exists = holdsDatabase(dataDir)
        if (!exists && options.createIfMissing === false) {
          throw new ConnectionError(
            `there is no embedded database in ${dataDir}; create it with ${howToRun('migrate:latest')}, or set DATABASE_URL to the database you mean`,
          )
        }
        mkdirSync(dataDir, { recursive: true })
        unlock = await lockPgliteFolder(dataDir)
        if (!exists) await fillFromTemplate(dataDir, options)
      }
      try {
        const { PGlite } = await import('@electric-sql/pglite')
        return new PGlite(dataDir)
      } catch (error) {
        unlock?.()
        throw error
      }
    },
    onDestroy: () => unlock?.(),
  })
}

/** Copies the template into the new folder (making the template first if need be); on failure PGlite initialises the folder itself. */
async function fillFromTemplate(dataDir: string, options: EmbeddedDatabaseOptions): Promise<void> {
  const template = templateDir()
  try {
    if (!template) throw new Error('no cache folder')
    if (!templateReady(template)) {
      options.onCreateDatabase?.({ phase: 'template', dataDir, template })
      await ensureTemplate(template)
    }
    options.onCreateDatabase?.({ phase: 'database', dataDir, template })
    copyTemplate(template, dataDir)
  } catch {
    // No cache folder to write, or a copy that failed: PGlite runs initdb in the folder as it
    // always could, once what a failed copy left is gone (all but the lock's own entries).
    for (const entry of readdirSync(dataDir)) {
      if (!isLockEntry(entry)) rmSync(join(dataDir, entry), { recursive: true, force: true })
    }
    if (!template) options.onCreateDatabase?.({ phase: 'database', dataDir })
  }
}
