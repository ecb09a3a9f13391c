/**
 * Where the CLI writes, and how it marks a line's status.
 *
 * Stdout carries the command's output only: human lines, or with `--json` one JSON document and
 * nothing else (so `… --json | jq` works). Errors go to stderr (with `--json`: into the document).
 *
 * Status marks (✅ ❌ ⚠️ ⏳ ➖) are decoration for a person at a terminal. Under `NO_COLOR`
 * (https://no-color.org), `TERM=dumb`, or when stdout is not a terminal, a mark that carries
 * meaning becomes a word (`FAIL`, `WARN`) and one that does not (✅ before a sentence that says
 * what succeeded) is dropped. `FORCE_COLOR` (set, not `0`) keeps the marks in a pipe.
 */
import type { Output } from './commands/command.js'

const MARKS: readonly [mark: string, word: string, indentedWord: string][] = [
  ['✅', '', 'ok'],
  ['❌', 'FAIL', 'FAIL'],
  ['⚠️', 'WARN', 'WARN'],
  ['⏳', '', ''],
  ['➖', '', '-'],
]

/** Whether status marks are drawn: a terminal without `NO_COLOR`, or `FORCE_COLOR`. */
export function decorates(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true
  if (env.TERM === 'dumb') return false
  return stream.isTTY === true
}

/**
 * `line` without its leading status mark: `✅ Applied x` → `Applied x`, `❌ 1 job not found` →
 * `FAIL 1 job not found`, an indented `   ✅ item` → `   ok item`.
 */
export function plainLine(line: string): string {
  const indent = /^\s*/.exec(line)![0]
  const rest = line.slice(indent.length)
  for (const [mark, word, indentedWord] of MARKS) {
    if (!rest.startsWith(mark)) continue
    const text = rest.slice(mark.length).replace(/^\uFE0F?\s*/, '')
    const replacement = indent ? indentedWord : word
    return `${indent}${replacement ? `${replacement} ` : ''}${text}`
  }
  return line
}

export function createOutput(json: boolean, decorate = decorates()): Output {
  return {
    json,
    interactive: !json && process.stdout.isTTY === true,
    line: (text) => {
      if (!json) process.stdout.write(`${decorate ? text : plainLine(text)}\n`)
    },
    result: (value) => {
      if (json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
    },
  }
}

/** An error line on stderr: `❌ message` on a terminal, `error: message` otherwise. */
export function errorLine(message: string, decorate = decorates(process.stderr)): string {
  return decorate ? `❌ ${message}` : `error: ${message}`
}
