#!/usr/bin/env node
// The npm scripts' CLI (`npm run migrate:latest` …): runs src/cli.ts bundled into plain
// JavaScript by esbuild, rebuilt only when a file under src/ (or package.json) changed since
// the last build, instead of compiling TypeScript on every run as tsx would (most of a
// command's time on a 2-core machine). Packages stay external and load from node_modules, and
// each command's heavy modules stay in chunks of their own (`splitting`), loaded on use.
// Plain JavaScript so that nothing compiles this file either. Not shipped: the package's bin is
// dist/cli.js, compiled by tsc.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import module from 'node:module'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const CACHE = join(ROOT, 'node_modules', '.cache', 'artorizer-auth-db', 'cli')
const STAMP = join(CACHE, 'stamp.json')

/** The newest modification time and the number of the files the bundle is made from. */
function sourceState() {
  let newest = 0
  let files = 0
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) visit(path)
      else {
        files++
        newest = Math.max(newest, statSync(path).mtimeMs)
      }
    }
  }
  visit(join(ROOT, 'src'))
  for (const file of ['package.json', 'tsconfig.json']) newest = Math.max(newest, statSync(join(ROOT, file)).mtimeMs)
  return { newest, files }
}

function readStamp() {
  try {
    return JSON.parse(readFileSync(STAMP, 'utf8'))
  } catch {
    return undefined
  }
}

/** Bundles into a folder of its own, then points the stamp at it (a rename: runs at the same time never see half a build). */
async function build(state) {
  const { build: esbuild } = await import('esbuild')
  const dir = `build-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`
  await esbuild({
    entryPoints: { cli: join(ROOT, 'src', 'cli.ts') },
    outdir: join(CACHE, dir),
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outExtension: { '.js': '.mjs' },
    logLevel: 'error',
  })
  const partial = `${STAMP}.${process.pid}.tmp`
  writeFileSync(partial, JSON.stringify({ ...state, dir }))
  renameSync(partial, STAMP)
  // Builds older than a minute that no stamp points at any more.
  for (const old of readdirSync(CACHE)) {
    if (old.startsWith('build-') && old !== dir && Date.now() - statSync(join(CACHE, old)).mtimeMs > 60_000) {
      rmSync(join(CACHE, old), { recursive: true, force: true })
    }
  }
  return dir
}

const state = sourceState()
const stamp = readStamp()
const fresh = stamp && stamp.newest === state.newest && stamp.files === state.files && existsSync(join(CACHE, stamp.dir, 'cli.mjs'))
mkdirSync(CACHE, { recursive: true })
const dir = fresh ? stamp.dir : await build(state)
// Node 22.1+ keeps V8's compiled code between runs; Node 20 has no such cache and skips it.
module.enableCompileCache?.(join(CACHE, 'v8'))
const { start } = await import(pathToFileURL(join(CACHE, dir, 'cli.mjs')).href)
await start(process.argv.slice(2))
