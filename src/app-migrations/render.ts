/**
 * Migration files as text: a sortable name, and a schema-data migration rendered as TypeScript
 * that imports the module's schema API (`artorizer-auth-db/schema`).
 */
import type { MigrationSchema } from '../model/migration-schema.js'

/**
 * The module's schema entry point, quoted, as a migration file imports it (kept out of a literal
 * import line). The subpath, not the package's root: it loads no driver and no Better Auth, and in
 * this repository, without a build, the loader maps it to `src/schema.ts` (`config/import-module.ts`).
 */
const PACKAGE = "'artorizer-auth-db/schema'"

/** `<UTC yyyymmddhhmmss>_<name>`: sorts after the module's `000N_` names and in creation order. */
export function migrationFileName(name: string, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14)
  return `${stamp}_${name}`
}

/** A value as a TypeScript literal: one line where it fits in `width`, else one entry per line. */
export function toTypeScriptLiteral(value: unknown, indent = 0, width = 110): string {
  const inline = inlineLiteral(value)
  if (indent + inline.length <= width - 12 || value === null || typeof value !== 'object') return inline
  const pad = ' '.repeat(indent + 2)
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    return `[\n${value.map((v) => `${pad}${toTypeScriptLiteral(v, indent + 2, width)},`).join('\n')}\n${' '.repeat(indent)}]`
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
  return `{\n${entries.map(([k, v]) => `${pad}${key(k)}: ${toTypeScriptLiteral(v, indent + 2, width)},`).join('\n')}\n${' '.repeat(indent)}}`
}

function inlineLiteral(value: unknown): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
  if (value === null || typeof value !== 'object') return String(value)
  if (Array.isArray(value)) return `[${value.map(inlineLiteral).join(', ')}]`
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
  return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${key(k)}: ${inlineLiteral(v)}`).join(', ')} }`
}

function key(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : inlineLiteral(name)
}

/**
 * A schema-data migration file: doc comment and `schema`, nothing else. Its `down` is the default
 * one (removing what `up` created, from the ledger), so the file is plain data: it imports only
 * `defineSchema`, whichever copy of the module that import reaches.
 */
export function renderSchemaMigration({ name, schema, summary }: { name: string; schema: MigrationSchema; summary: readonly string[] }): string {
  return [
    '/**',
    ...summary.map((line) => (line ? ` * ${line}` : ' *')),
    ' */',
    `import { defineSchema } from ${PACKAGE}`,
    '',
    `export const schema = defineSchema(${toTypeScriptLiteral(schema)})`,
    '',
    '// No `down`: the default removes what `up` created (recorded as it went), newest first, and leaves',
    '// what was already there. Export `async function down(db, name)` only to undo it differently.',
    '',
    `// ${name}`,
    '',
  ].join('\n')
}
