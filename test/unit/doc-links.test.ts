/**
 * The README and docs/ link to each other, to headings and to files of the repository: every
 * relative link must lead somewhere. A link `[text](target)` whose target is not http:, https:
 * or mailto: must name a file or folder that exists (relative to the Markdown file's folder),
 * and a `#anchor` must be the GitHub slug of a heading of the target file (or of the same file).
 * Links inside fenced code blocks are not links. The README stays a front door: at most 300 lines.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const README_MAX_LINES = 300

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return markdownFiles(path)
    return entry.name.endsWith('.md') ? [path] : []
  })
}

const FILES = [join(ROOT, 'README.md'), ...markdownFiles(join(ROOT, 'docs'))]

/** Each line of the file with its number, the lines inside fenced code blocks left out. */
function proseLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = []
  let fence: string | undefined
  text.split('\n').forEach((line, index) => {
    const opening = /^\s*(`{3,}|~{3,})/.exec(line)
    if (opening) {
      if (fence === undefined) fence = opening[1]![0]!.repeat(opening[1]!.length)
      else if (opening[1]!.startsWith(fence)) fence = undefined
      return
    }
    if (fence === undefined) out.push({ line: index + 1, text: line })
  })
  return out
}

/** GitHub's heading anchors: lowercase, only letters, digits, spaces, hyphens and underscores, spaces to hyphens; repeats get -1, -2... */
export function headingSlugs(markdown: string): Set<string> {
  const seen = new Map<string, number>()
  const slugs = new Set<string>()
  for (const { text } of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text)
    if (!heading) continue
    const base = heading[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-')
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    slugs.add(count === 0 ? base : `${base}-${count}`)
  }
  return slugs
}

/** The targets of `[text](target)` and `![alt](target)` on a line, without inline code spans. */
function linkTargets(line: string): string[] {
  const prose = line.replace(/`[^`]*`/g, (span) => ' '.repeat(span.length))
  const targets: string[] = []
  for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(match[1]!)
  return targets
}

function brokenLinks(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const name = relative(ROOT, file)
  const broken: string[] = []
  for (const { line, text: content } of proseLines(text)) {
    for (const target of linkTargets(content)) {
      if (/^(https?:|mailto:)/i.test(target)) continue
      const hashAt = target.indexOf('#')
      const pathPart = decodeURIComponent(hashAt === -1 ? target : target.slice(0, hashAt))
      const anchor = hashAt === -1 ? undefined : decodeURIComponent(target.slice(hashAt + 1))
      const targetFile = pathPart === '' ? file : resolve(dirname(file), pathPart)
      if (!existsSync(targetFile)) {
        broken.push(`${name}:${line}: ${target}: no such file or folder (${relative(ROOT, targetFile)})`)
        continue
      }
      if (anchor === undefined) continue
      if (statSync(targetFile).isDirectory() || !targetFile.endsWith('.md')) {
        broken.push(`${name}:${line}: ${target}: an anchor into ${relative(ROOT, targetFile)}, which is not a Markdown file`)
        continue
      }
      if (!headingSlugs(readFileSync(targetFile, 'utf8')).has(anchor)) {
        broken.push(`${name}:${line}: ${target}: ${relative(ROOT, targetFile)} has no heading "#${anchor}"`)
      }
    }
  }
  return broken
}

describe('documentation links', () => {
  it('finds the README and the docs pages', () => {
    expect(FILES.map((file) => relative(ROOT, file))).toContain('README.md')
    expect(FILES.length).toBeGreaterThan(5)
  })

  it(`README.md has at most ${README_MAX_LINES} lines`, () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\n$/, '').split('\n').length
    expect(lines, `README.md has ${lines} lines; move detail into docs/`).toBeLessThanOrEqual(README_MAX_LINES)
  })

  it('slugs headings as GitHub does', () => {
    const slugs = headingSlugs('# A `DATABASE_URL`: TLS\n## npm run db:verify\n## Tests\n## Tests\n```\n# not a heading\n```\n')
    expect([...slugs]).toEqual(['a-database_url-tls', 'npm-run-dbverify', 'tests', 'tests-1'])
  })

  for (const file of FILES) {
    it(`every relative link and anchor in ${relative(ROOT, file)} resolves`, () => {
      expect(brokenLinks(file)).toEqual([])
    })
  }
})
