// The floor for a command's time (see commands.ts): a fresh Node process that does only what a
// command cannot avoid: open the database with its driver and send one `select 1`. Plain
// JavaScript, loading the driver alone.
//   node bench/floor-probe.mjs postgres|mysql <url>
//   node bench/floor-probe.mjs pglite <folder>      (a new folder: PGlite's own initdb)
const [kind, target] = process.argv.slice(2)
if (kind === 'postgres') {
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: target })
  await client.connect()
  await client.query('select 1')
  await client.end()
} else if (kind === 'mysql') {
  const { createConnection } = await import('mysql2/promise')
  const connection = await createConnection(target)
  await connection.query('select 1')
  await connection.end()
} else if (kind === 'pglite') {
  const { PGlite } = await import('@electric-sql/pglite')
  const pg = new PGlite(target)
  await pg.query('select 1')
  await pg.close()
} else {
  throw new Error(`unknown kind ${kind}`)
}
