/**
 * A process that opens a PGlite folder, for the folder-lock tests (bundled by `bundled-cli.ts`).
 *
 *   pglite-holder <folder> open    opens it, runs a query, prints "OPENED <pid>", closes it, exits 0
 *   pglite-holder <folder> hold    opens it, prints "OPENED <pid>", holds it until stdin closes
 *   pglite-holder <folder> die     opens it, prints "OPENED <pid>", then SIGKILLs itself
 *
 * A failure to open prints the one-line error on stderr and exits 1.
 */
import { sql } from 'kysely'
import { connectDatabase } from '../../src/index.js'

const [folder, mode] = process.argv.slice(2)
try {
  const database = await connectDatabase({ url: `pglite:${folder}` })
  await sql`select 1`.execute(database.db)
  process.stdout.write(`OPENED ${process.pid}\n`)
  if (mode === 'die') process.kill(process.pid, 'SIGKILL')
  else if (mode === 'hold') await new Promise((resolve) => process.stdin.on('close', resolve).resume())
  await database.db.destroy()
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`)
  process.exitCode = 1
}
