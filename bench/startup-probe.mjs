// Runs in a fresh Node process (see startup.ts): imports the compiled module, connects to one
// database, runs the boot check, and prints one JSON line with the timings and, with
// --trace-loads, which packages were loaded. Plain JavaScript so that no TypeScript loader
// adds to the import time it measures.
import { createRequire, register } from 'node:module'
import { MessageChannel } from 'node:worker_threads'

const [entry, url, ...flags] = process.argv.slice(2)
const resolved = new Set()
if (flags.includes('--trace-loads')) {
  const { port1, port2 } = new MessageChannel()
  port1.on('message', (moduleUrl) => resolved.add(moduleUrl))
  port1.unref()
  register(new URL('./load-hooks.mjs', import.meta.url), { data: { port: port2 }, transferList: [port2] })
}

const started = performance.now()
const { connectDatabase, migrateToLatest } = await import(entry)
const imported = performance.now()
let queries = 0
const { db } = await connectDatabase({ url, log: () => queries++ })
await db.selectNoFrom((eb) => eb.lit(1).as('one')).execute()
const opened = performance.now()
queries = 0
const applied = await migrateToLatest(db)
const checked = performance.now()
await db.destroy()

// CommonJS packages (pg, mysql2) land in require's cache, ES modules in the hook's list.
await new Promise((resolve) => setTimeout(resolve, 20))
const files = [...resolved, ...Object.keys(createRequire(import.meta.url).cache)]
const packages = [...new Set(files.map((file) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1]).filter(Boolean))].sort()
console.log(
  JSON.stringify({
    importMs: imported - started,
    openMs: opened - imported,
    migrateMs: checked - opened,
    applied: applied.map((m) => m.name),
    queries,
    packages: flags.includes('--trace-loads') ? packages : undefined,
  }),
)
