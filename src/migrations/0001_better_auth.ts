/**
 * Better Auth's core tables `user`, `session`, `account` and `verification`, as Better Auth 1.7
 * expects them by default (singular names, camelCase columns), with their keys: primary keys,
 * unique `user.email` and `session.token`, and named `ON DELETE CASCADE` foreign keys from
 * `session.userId` and `account.userId` with Better Auth's own index names on them.
 *
 * Tables that an earlier `better-auth migrate` made are adopted (`strict`), not recreated: what
 * they lack (optional columns, keys, indexes) is added and no row changes. A table the module
 * cannot adopt safely stops the migration before any change, with every difference listed.
 *
 * The data is stated in Better Auth's default names; the application's options shape it (table
 * and column names, uuid or serial ids: `shapeSchema`), and the shape it was made in is recorded
 * (`artorizer_auth_shape`) so that a later change of the options is seen as one.
 *
 * Released: this data is frozen. `test/unit/better-auth-schema.test.ts` compares it with the
 * installed Better Auth's own schema, so that an upgrade that changes the core tables is loud.
 */
import type { Kysely } from 'kysely'
import { defineSchema, type ColumnModel } from '../model/migration-schema.js'
import { undoCreations } from '../ddl/apply.js'
import { forgetAuthShape, recordAuthShape } from '../ddl/auth-shape-record.js'
import type { AuthShape } from '../model/auth-shape.js'

const MIGRATION = '0001_better_auth'

const id: ColumnModel = { name: 'id', type: 'key', nullable: false, primaryKey: true }
const createdAt: ColumnModel = { name: 'createdAt', type: 'timestamp', nullable: false, default: { now: true } }
const updatedAt: ColumnModel = { name: 'updatedAt', type: 'timestamp', nullable: false, default: { now: true } }

/** The target tables, columns in Better Auth's order. */
export const schema = defineSchema({
  tables: [
    {
      name: 'user',
      adoption: 'strict',
      columns: [
        id,
        { name: 'name', type: 'indexedString', nullable: false },
        { name: 'email', type: 'indexedString', nullable: false },
        { name: 'emailVerified', type: 'boolean', nullable: false, default: { literal: false } },
        { name: 'image', type: 'text', nullable: true },
        createdAt,
        updatedAt,
      ],
    },
    {
      name: 'session',
      adoption: 'strict',
      columns: [
        id,
        { name: 'expiresAt', type: 'timestamp', nullable: false },
        { name: 'token', type: 'key', nullable: false },
        createdAt,
        updatedAt,
        { name: 'ipAddress', type: 'text', nullable: true },
        { name: 'userAgent', type: 'text', nullable: true },
        { name: 'userId', type: 'key', nullable: false },
      ],
    },
    {
      name: 'account',
      adoption: 'strict',
      columns: [
        id,
        { name: 'accountId', type: 'indexedString', nullable: false },
        { name: 'providerId', type: 'indexedString', nullable: false },
        { name: 'userId', type: 'key', nullable: false },
        { name: 'accessToken', type: 'text', nullable: true },
        { name: 'refreshToken', type: 'text', nullable: true },
        { name: 'idToken', type: 'text', nullable: true },
        { name: 'accessTokenExpiresAt', type: 'timestamp', nullable: true },
        { name: 'refreshTokenExpiresAt', type: 'timestamp', nullable: true },
        { name: 'scope', type: 'text', nullable: true },
        { name: 'password', type: 'text', nullable: true },
        createdAt,
        updatedAt,
      ],
    },
    {
      name: 'verification',
      adoption: 'strict',
      columns: [
        // Verification ids are longer than other ids (43 characters for magic links and email OTPs).
        { ...id, minLength: 255 },
        { name: 'identifier', type: 'indexedString', nullable: false },
        { name: 'value', type: 'text', nullable: false },
        { name: 'expiresAt', type: 'timestamp', nullable: false },
        createdAt,
        updatedAt,
      ],
    },
  ],
  indexes: [
    { table: 'user', name: 'user_email_uidx', columns: ['email'], unique: true },
    { table: 'session', name: 'session_token_uidx', columns: ['token'], unique: true },
    { table: 'session', name: 'session_userId_idx', columns: ['userId'] },
    { table: 'account', name: 'account_userId_idx', columns: ['userId'] },
  ],
  foreignKeys: [
    { table: 'session', name: 'session_userId_fk', column: 'userId', references: { table: 'user', column: 'id' }, onDelete: 'cascade' },
    { table: 'account', name: 'account_userId_fk', column: 'userId', references: { table: 'user', column: 'id' }, onDelete: 'cascade' },
  ],
})

/** Records the shape the core tables were made in, once they are. */
export async function afterUp(db: Kysely<any>, shape: AuthShape): Promise<void> {
  await recordAuthShape(db, shape)
}

/** Removes what `up` created; adopted tables and widened columns stay as they are. */
export async function down(db: Kysely<any>): Promise<void> {
  await undoCreations(db, MIGRATION)
  await forgetAuthShape(db)
}
