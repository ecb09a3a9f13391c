/**
 * Opening the embedded database (PGlite, imported only when it is used), in a folder that one
 * process at a time may hold, or in memory.
 */
import { mkdirSync } from 'node:fs'
import type { Dialect } from 'kysely'
import { PGliteDialect } from './dialect.js'
import { lockPgliteFolder } from './folder-lock.js'

export async function createPgliteDialect(dataDir: string | undefined): Promise<Dialect> {

  let unlock: (() => void) | undefined
  return new PGliteDialect({
    pglite: async () => {
      if (dataDir) {
        mkdirSync(dataDir, { recursive: true })
        unlock = await lockPgliteFolder(dataDir)
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
