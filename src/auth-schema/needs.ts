/**
 * Boot and verify follow the options: whether the migrations provide everything Better Auth's
 * options need, computed from data (no database, so an up-to-date database still costs one query
 * at boot).
 */
import type { MigrationSchema } from '../model/migration-schema.js'
import type { AuthOptions } from './options.js'
import { AuthDbError } from '../errors.js'
import { authSchemaGap } from './diff.js'

/** Better Auth's options need tables or fields that no migration creates. */
export class AuthSchemaMissingError extends AuthDbError {
  override name = 'AuthSchemaMissingError'
  constructor(readonly missing: readonly string[]) {
    super(
      `Better Auth's options need schema that no migration provides (${summarize(byKind(missing))}); run artorizer-auth-db migrate:make --auth <name>, review and commit the migration, then migrate:latest`,
    )
  }
}

/** Rejects with {@link AuthSchemaMissingError} when `options` need what the migrations' `schemas` do not make. */
export async function assertAuthSchemaProvided(options: AuthOptions, schemas: readonly MigrationSchema[]): Promise<void> {
  const gap = await authSchemaGap(options, schemas)
  if (gap.missing.length > 0) throw new AuthSchemaMissingError(gap.missing)
}

/** Tables first, then columns, then indexes and keys: the summary names what matters most. */
export function byKind(missing: readonly string[]): string[] {
  const rank = (item: string): number => (item.startsWith('table ') ? 0 : item.startsWith('column ') ? 1 : 2)
  return [...missing].sort((a, b) => rank(a) - rank(b))
}

/** The first few missing objects, and how many more. */
export function summarize(missing: readonly string[], max = 8): string {
  const shown = missing.slice(0, max).join(', ')
  return missing.length > max ? `${shown} and ${missing.length - max} more` : shown
}
