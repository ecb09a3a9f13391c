/**
 * The layers of `src/` point one way (docs/architecture.md): every import between two top-level
 * entries of `src/` (a folder, or a file directly in it) goes down the list below, so no two of
 * them import each other. Imports are read with TypeScript's own `preProcessFile` (static,
 * re-exports, `import()` with a literal, type-only included), not with a hand-written pattern.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const SRC = fileURLToPath(new URL('../../src', import.meta.url))

/** Bottom first: each entry may import only entries before it (docs/architecture.md draws them). */
export const LAYERS: readonly (readonly string[])[] = [
  ['invocation.ts', 'model'],
  ['errors.ts'],
  ['database-url'],
  ['engines'],
  ['planner'],
  ['ddl', 'db'],
  ['auth-schema'],
  ['migrations'],
  ['migrator'],
  ['config'],
  ['app-migrations', 'auth.ts'],
  ['auth-migration', 'artworks'],
  ['verify', 'seed.ts'],
  ['cli'],
  ['cli.ts', 'index.ts', 'schema.ts', 'tools.ts'],
]

interface Arrow {
  readonly from: string
  readonly to: string
  /** One import that draws it: `file -> file`. */
  readonly example: string
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return /\.(m|c)?ts$/.test(path) && !path.endsWith('.d.ts') ? [path] : []
  })
}

/** The arrows between top-level entries of `src/`, one per pair. */
function entryArrows(): Arrow[] {
  const entryOf = (file: string) => relative(SRC, file).split(sep)[0]!
  const arrows = new Map<string, Arrow>()
  for (const file of sourceFiles(SRC)) {
    for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!fileName.startsWith('.')) continue
      const base = resolve(dirname(file), fileName)
      const target = [base.replace(/\.(m|c)?js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')].find((c) => existsSync(c) && statSync(c).isFile())
      if (!target || !target.startsWith(SRC)) continue
      const from = entryOf(file)
      const to = entryOf(target)
      if (from !== to && !arrows.has(`${from}>${to}`)) arrows.set(`${from}>${to}`, { from, to, example: `${relative(SRC, file)} -> ${relative(SRC, target)}` })
    }
  }
  return [...arrows.values()]
}

/** Groups of two or more entries that reach each other (Tarjan's strongly connected components). */
export function circles(arrows: readonly Pick<Arrow, 'from' | 'to'>[]): string[][] {
  const next = new Map<string, string[]>()
  for (const { from, to } of arrows) next.set(from, [...(next.get(from) ?? []), to])
  const nodes = new Set(arrows.flatMap((a) => [a.from, a.to]))
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const found: string[][] = []
  const visit = (v: string): void => {
    index.set(v, index.size)
    low.set(v, index.get(v)!)
    stack.push(v)
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = []
      let w: string
      do {
        w = stack.pop()!
        group.push(w)
      } while (w !== v)
      if (group.length > 1) found.push(group.sort())
    }
  }
  for (const v of nodes) if (!index.has(v)) visit(v)
  return found
}

describe('the layers of src/', () => {
  const arrows = entryArrows()

  it('finds a circle when there is one (the check itself)', () => {
    expect(circles([{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }, { from: 'c', to: 'a' }, { from: 'c', to: 'd' }])).toEqual([['a', 'b', 'c']])
    expect(circles([{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }])).toEqual([])
  })

  it('has no folder-level import circle', () => {
    expect(arrows.length).toBeGreaterThan(20) // the imports were read
    const found = circles(arrows).map((group) => `{${group.join(', ')}}: ${arrows.filter((a) => group.includes(a.from) && group.includes(a.to)).map((a) => a.example).join('; ')}`)
    expect(found).toEqual([])
  })

  it('imports only downwards, in the order docs/architecture.md draws', () => {
    const layerOf = (entry: string) => LAYERS.findIndex((layer) => layer.includes(entry))
    const entries = readdirSync(SRC).filter((entry) => statSync(join(SRC, entry)).isDirectory() || /\.ts$/.test(entry))
    expect(entries.filter((entry) => layerOf(entry) === -1), 'every entry of src/ has a layer').toEqual([])
    const upward = arrows.filter((a) => layerOf(a.to) >= layerOf(a.from)).map((a) => a.example)
    expect(upward).toEqual([])
  })

  it('draws the same layers in docs/architecture.md', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../docs/architecture.md', import.meta.url)), 'utf8')
    for (const layer of LAYERS) for (const entry of layer) expect(doc, entry).toContain(`\`${entry.endsWith('.ts') ? entry : `${entry}/`}\``)
  })
})
