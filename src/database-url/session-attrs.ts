/**
 * libpq's `target_session_attrs`: which kind of server a session must reach, among the hosts of
 * a multi-host `DATABASE_URL` (https://www.postgresql.org/docs/current/libpq-connect.html,
 * "target_session_attrs"). Pure rules, no I/O: the PostgreSQL engine asks the server what it is
 * (`in_hot_standby`, `default_transaction_read_only`) and these say whether it will do.
 */
import { UsageError } from '../errors.js'

/** libpq's values. `any` (the default) takes the first host that answers. */
export type TargetSessionAttrs = 'any' | 'read-write' | 'read-only' | 'primary' | 'standby' | 'prefer-standby'

export const TARGET_SESSION_ATTRS: readonly TargetSessionAttrs[] = ['any', 'read-write', 'read-only', 'primary', 'standby', 'prefer-standby']

/** What a server says about itself, as libpq reads it. */
export interface ServerKind {
  /** `in_hot_standby` (or `pg_is_in_recovery()`): a standby replaying a primary's WAL. */
  readonly standby: boolean
  /** `default_transaction_read_only`: sessions are read-only by default (a standby always is). */
  readonly readOnlyByDefault: boolean
}

/**
 * Whether a server of `kind` will do for `attrs` in one pass over the hosts. `prefer-standby` is
 * two passes (see {@link passesOf}): a standby first, then any host.
 */
export function serverFits(attrs: Exclude<TargetSessionAttrs, 'prefer-standby'>, kind: ServerKind): boolean {
  switch (attrs) {
    case 'any':
      return true
    case 'read-write':
      return !kind.standby && !kind.readOnlyByDefault
    case 'read-only':
      return kind.standby || kind.readOnlyByDefault
    case 'primary':
      return !kind.standby
    case 'standby':
      return kind.standby
  }
}

/** The passes over the host list `attrs` makes, in order: libpq's `prefer-standby` tries every host for a standby, then again for any. */
export function passesOf(attrs: TargetSessionAttrs): Exclude<TargetSessionAttrs, 'prefer-standby'>[] {
  return attrs === 'prefer-standby' ? ['standby', 'any'] : [attrs]
}

/** What `attrs` asks for, in a message: "a primary that accepts writes (target_session_attrs=read-write)". */
export function describeWanted(attrs: TargetSessionAttrs): string {
  const what: Record<TargetSessionAttrs, string> = {
    any: 'a server that answers',
    'read-write': 'a server that accepts writes',
    'read-only': 'a read-only server',
    primary: 'a primary',
    standby: 'a standby',
    'prefer-standby': 'a standby, else any server',
  }
  return `${what[attrs]} (target_session_attrs=${attrs})`
}

/** Reads the parameter; undefined when absent. */
export function readTargetSessionAttrs(raw: string | undefined): TargetSessionAttrs | undefined {
  if (raw === undefined) return undefined
  const value = raw.trim().toLowerCase() as TargetSessionAttrs
  if (!TARGET_SESSION_ATTRS.includes(value)) {
    throw new UsageError(`DATABASE_URL parameter "target_session_attrs" must be one of ${TARGET_SESSION_ATTRS.join(', ')}`)
  }
  return value
}
