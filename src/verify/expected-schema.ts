/**
 * The schema the migrations lead to, as `db:verify` checks it: the README's schema table in data.
 *
 * It describes the end state after every migration, not what any one migration does, so it
 * lives apart from `src/migrations/` (a released migration never changes; this list follows the
 * latest one). Better Auth's tables are held to it strictly. `artwork_jobs` may be a legacy table
 * the module adopted and never reshapes: there only what the module adds (`user_id`, its index
 * and key) is strict, and a legacy column of another type is a warning.
 */
import type { ColumnKind } from '../schema/column-types.js'

/** How much a difference matters: `fail` makes `db:verify` exit non-zero, `warn` does not. */
export type Severity = 'fail' | 'warn'

export interface ExpectedColumn {
  readonly name: string
  /** The column's kind; or `sameAs`: exactly the type (and MySQL collation) of another column. */
  readonly kind: ColumnKind | { readonly sameAs: { readonly table: string; readonly column: string } }
  readonly nullable: boolean
  /** How a different type or nullability is reported (default `fail`). */
  readonly typeSeverity?: Severity
  /** How a missing column is reported (default `fail`). */
  readonly missingSeverity?: Severity
}

export interface ExpectedTable {
  readonly name: string
  /** Checked only when it exists (`upload_history`). */
  readonly optional?: boolean
  readonly columns: readonly ExpectedColumn[]
}

export interface ExpectedIndex {
  readonly table: string
  readonly name: string
  readonly columns: readonly string[]
  readonly unique?: boolean
  /**
   * How a missing index is reported (default `fail`; an index over a column that is missing is
   * reported as that column is).
   */
  readonly severity?: Severity
  /** Why the index may legitimately be missing (printed with a warning). */
  readonly note?: string
}

export interface ExpectedForeignKey {
  readonly table: string
  readonly name: string
  readonly column: string
  readonly referencedTable: string
  readonly referencedColumn: string
  readonly onDelete: 'CASCADE'
}

const USER_ID = { sameAs: { table: 'user', column: 'id' } } as const
/** A legacy column the module reads: it must exist, but its type is the table's own business. */
const LEGACY_READ = { typeSeverity: 'warn', missingSeverity: 'fail' } as const
/** A legacy column the module never reads. */
const LEGACY = { typeSeverity: 'warn', missingSeverity: 'warn' } as const

export const EXPECTED_TABLES: readonly ExpectedTable[] = [
  {
    name: 'user',
    columns: [
      { name: 'id', kind: 'key', nullable: false },
      { name: 'name', kind: 'indexedString', nullable: false },
      { name: 'email', kind: 'indexedString', nullable: false },
      { name: 'emailVerified', kind: 'boolean', nullable: false },
      { name: 'image', kind: 'text', nullable: true },
      { name: 'createdAt', kind: 'timestamp', nullable: false },
      { name: 'updatedAt', kind: 'timestamp', nullable: false },
    ],
  },
  {
    name: 'session',
    columns: [
      { name: 'id', kind: 'key', nullable: false },
      { name: 'expiresAt', kind: 'timestamp', nullable: false },
      { name: 'token', kind: 'key', nullable: false },
      { name: 'createdAt', kind: 'timestamp', nullable: false },
      { name: 'updatedAt', kind: 'timestamp', nullable: false },
      { name: 'ipAddress', kind: 'text', nullable: true },
      { name: 'userAgent', kind: 'text', nullable: true },
      { name: 'userId', kind: 'key', nullable: false },
    ],
  },
  {
    name: 'account',
    columns: [
      { name: 'id', kind: 'key', nullable: false },
      { name: 'accountId', kind: 'indexedString', nullable: false },
      { name: 'providerId', kind: 'indexedString', nullable: false },
      { name: 'userId', kind: 'key', nullable: false },
      { name: 'accessToken', kind: 'text', nullable: true },
      { name: 'refreshToken', kind: 'text', nullable: true },
      { name: 'idToken', kind: 'text', nullable: true },
      { name: 'accessTokenExpiresAt', kind: 'timestamp', nullable: true },
      { name: 'refreshTokenExpiresAt', kind: 'timestamp', nullable: true },
      { name: 'scope', kind: 'text', nullable: true },
      { name: 'password', kind: 'text', nullable: true },
      { name: 'createdAt', kind: 'timestamp', nullable: false },
      { name: 'updatedAt', kind: 'timestamp', nullable: false },
    ],
  },
  {
    name: 'verification',
    columns: [
      { name: 'id', kind: 'key', nullable: false },
      { name: 'identifier', kind: 'indexedString', nullable: false },
      { name: 'value', kind: 'text', nullable: false },
      { name: 'expiresAt', kind: 'timestamp', nullable: false },
      { name: 'createdAt', kind: 'timestamp', nullable: false },
      { name: 'updatedAt', kind: 'timestamp', nullable: false },
    ],
  },
  {
    name: 'artwork_jobs',
    columns: [
      // artworks:link finds artworks by job_id and updates them by id.
      { name: 'id', kind: 'bigint', nullable: false, ...LEGACY_READ },
      { name: 'user_id', kind: USER_ID, nullable: true },
      { name: 'job_id', kind: 'indexedString', nullable: false, ...LEGACY_READ },
      { name: 'original_url', kind: 'text', nullable: false, ...LEGACY },
      { name: 'protected_url', kind: 'text', nullable: true, ...LEGACY },
      { name: 'status', kind: 'shortString', nullable: false, ...LEGACY },
      // Without created_at, 0003 skips artwork_jobs_user_id_created_at_idx: both are warnings.
      { name: 'created_at', kind: 'timestamp', nullable: false, ...LEGACY },
    ],
  },
  {
    name: 'upload_history',
    optional: true,
    columns: [{ name: 'user_id', kind: USER_ID, nullable: true }],
  },
]

export const EXPECTED_INDEXES: readonly ExpectedIndex[] = [
  { table: 'user', name: 'user_email_uidx', columns: ['email'], unique: true },
  { table: 'session', name: 'session_token_uidx', columns: ['token'], unique: true },
  { table: 'session', name: 'session_userId_idx', columns: ['userId'] },
  { table: 'account', name: 'account_userId_idx', columns: ['userId'] },
  { table: 'account', name: 'account_providerId_accountId_idx', columns: ['providerId', 'accountId'] },
  { table: 'verification', name: 'verification_identifier_idx', columns: ['identifier'] },
  {
    table: 'artwork_jobs',
    name: 'artwork_jobs_job_id_uidx',
    columns: ['job_id'],
    unique: true,
    severity: 'warn',
    note: 'a legacy artwork_jobs keeps its own keys; without it artworks:link scans the table',
  },
  { table: 'artwork_jobs', name: 'artwork_jobs_user_id_idx', columns: ['user_id'] },
  { table: 'artwork_jobs', name: 'artwork_jobs_user_id_created_at_idx', columns: ['user_id', 'created_at'] },
  { table: 'upload_history', name: 'upload_history_user_id_idx', columns: ['user_id'] },
]

export const EXPECTED_FOREIGN_KEYS: readonly ExpectedForeignKey[] = [
  { table: 'session', name: 'session_userId_fk', column: 'userId', referencedTable: 'user', referencedColumn: 'id', onDelete: 'CASCADE' },
  { table: 'account', name: 'account_userId_fk', column: 'userId', referencedTable: 'user', referencedColumn: 'id', onDelete: 'CASCADE' },
  { table: 'artwork_jobs', name: 'artwork_jobs_user_id_fk', column: 'user_id', referencedTable: 'user', referencedColumn: 'id', onDelete: 'CASCADE' },
  { table: 'upload_history', name: 'upload_history_user_id_fk', column: 'user_id', referencedTable: 'user', referencedColumn: 'id', onDelete: 'CASCADE' },
]
