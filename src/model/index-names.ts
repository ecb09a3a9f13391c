/**
 * Index and key names, as Better Auth names its own (`getDatabaseIndexName` in
 * `@better-auth/core`): `<table>_<columns>_idx` / `_uidx`, and past 63 bytes (PostgreSQL's limit;
 * MySQL's is 64) a prefix and a stable hash. Restated here because Better Auth exports it only
 * from an internal entry point; `test/unit/auth-migration.test.ts` checks that both agree.
 * Foreign keys follow the same rule with `_fk`, as 0001's `session_userId_fk` does.
 */
const MAX_NAME_BYTES = 63

export function databaseIndexName(table: string, columns: readonly string[], kind: 'idx' | 'uidx' | 'fk'): string {
  const name = `${table}_${columns.join('_')}_${kind}`
  if (byteLength(name) <= MAX_NAME_BYTES) return name
  const suffix = `_${stableHash(name)}_${kind}`
  return `${truncateUtf8(name.slice(0, -kind.length - 1), MAX_NAME_BYTES - byteLength(suffix))}${suffix}`
}

function byteLength(value: string): number {
  return new TextEncoder().encode(value).length
}

function truncateUtf8(value: string, maxBytes: number): string {
  let result = ''
  let bytes = 0
  for (const character of value) {
    const size = byteLength(character)
    if (bytes + size > maxBytes) break
    result += character
    bytes += size
  }
  return result
}

/** FNV-1a over UTF-16 code units, in hex: Better Auth's `getStableIndexNameHash`. */
function stableHash(value: string): string {
  let hash = 2166136261
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i)
    hash = Math.imul(hash, 16777619)
  }
  return (hash >>> 0).toString(16).padStart(8, '0')
}
