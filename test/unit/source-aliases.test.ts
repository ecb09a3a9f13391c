/**
 * When the loader maps `artorizer-auth-db` to its sources (no database): only for a checkout whose
 * compiled entry is missing and whose source exists, entry by entry; never for a built or
 * installed package, nor for a file that does not reach the package.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { sourceAliases } from '../../src/config/import-module.js'

const EXPORTS = {
  '.': { types: './dist/index.d.ts', default: './dist/index.js' },
  './schema': { types: './dist/schema.d.ts', default: './dist/schema.js' },
  './tools': { types: './dist/tools.d.ts', default: './dist/tools.js' },
  './package.json': './package.json',
}
const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })))

/** A package folder with `files` (paths relative to it), and a migration file in it. */
function checkout(files: readonly string[], manifest: object = { name: 'artorizer-auth-db', type: 'module', exports: EXPORTS }): { root: string; migration: string } {
  const root = mkdtempSync(join(tmpdir(), 'source-aliases-'))
  dirs.push(root)
  writeFileSync(join(root, 'package.json'), JSON.stringify(manifest))
  for (const file of [...files, 'migrations/20261201000000_x.ts']) {
    mkdirSync(join(root, file, '..'), { recursive: true })
    writeFileSync(join(root, file), '')
  }
  return { root, migration: join(root, 'migrations', '20261201000000_x.ts') }
}

it('maps each entry to src/ in an unbuilt checkout, where the source exists', () => {
  const { root, migration } = checkout(['src/index.ts', 'src/schema.ts'])
  expect(sourceAliases(migration)).toEqual({
    'artorizer-auth-db': join(root, 'src', 'index.ts'),
    'artorizer-auth-db/schema': join(root, 'src', 'schema.ts'),
  })
})

it('maps only the entries not built yet', () => {
  const { root, migration } = checkout(['src/index.ts', 'src/schema.ts', 'dist/index.js'])
  expect(sourceAliases(migration)).toEqual({ 'artorizer-auth-db/schema': join(root, 'src', 'schema.ts') })
})

it('maps nothing for a built checkout or an installed package (dist/ present)', () => {
  expect(sourceAliases(checkout(['src/index.ts', 'src/schema.ts', 'dist/index.js', 'dist/schema.js']).migration)).toBeUndefined()
  const project = checkout([], { name: 'app', type: 'module' })
  const installed = join(project.root, 'node_modules', 'artorizer-auth-db')
  mkdirSync(join(installed, 'dist'), { recursive: true })
  mkdirSync(join(installed, 'src'), { recursive: true })
  writeFileSync(join(installed, 'package.json'), JSON.stringify({ name: 'artorizer-auth-db', type: 'module', exports: EXPORTS }))
  for (const file of ['dist/index.js', 'dist/schema.js', 'src/index.ts', 'src/schema.ts']) writeFileSync(join(installed, file), '')
  expect(sourceAliases(project.migration)).toBeUndefined()
})

it('maps nothing where the file does not reach the package', () => {
  expect(sourceAliases(checkout(['src/index.ts'], { name: 'app', type: 'module' }).migration)).toBeUndefined()
})
