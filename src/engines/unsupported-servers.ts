/**
 * Servers that speak PostgreSQL's or MySQL's protocol but on which the migrations are not safe:
 * CockroachDB, YugabyteDB, TiDB and Vitess (PlanetScale). Each is told by what `select version()`
 * answers, and refused with one line before anything is changed, rather than migrated under a
 * lock that locks nothing. docs/other-engines.md says what works on each and why they are refused.
 */
import { sql, type Kysely } from 'kysely'
import { AuthDbError } from '../errors.js'

export type UnsupportedServerName = 'CockroachDB' | 'YugabyteDB' | 'TiDB' | 'Vitess/PlanetScale'

export interface UnsupportedServer {
  readonly name: UnsupportedServerName
  /** Why the migrations cannot run there, in a few words. */
  readonly why: string
}

/** How each is told from `version()`, and why it is refused; first match wins. */
const UNSUPPORTED: ReadonlyArray<{ readonly test: RegExp } & UnsupportedServer> = [
  {
    // "CockroachDB CCL v23.1.11 (x86_64-pc-linux-gnu, built 2023/09/27 ...)"
    test: /\bCockroachDB\b/i,
    name: 'CockroachDB',
    why: 'its advisory locks are missing or stubs that grant every caller, so concurrent migrations would not wait for each other, and it cannot build indexes CONCURRENTLY as PostgreSQL does',
  },
  {
    // "PostgreSQL 11.2-YB-2.20.1.0-b0 on x86_64-pc-linux-gnu, compiled by clang ..."
    test: /-YB-/,
    name: 'YugabyteDB',
    why: 'its advisory locks are unimplemented (or silenced into no-ops) before 2.25, and its DDL is not transactional the way the migrations assume',
  },
  {
    // "8.0.11-TiDB-v7.5.1" / "5.7.25-TiDB-v6.5.0"
    test: /-TiDB-/i,
    name: 'TiDB',
    why: 'GET_LOCK was a no-op before 6.x, foreign keys are experimental before 8.5, and its catalog and online DDL differ from MySQL in ways the migrations are not tested against',
  },
  {
    // "8.0.30-Vitess", PlanetScale's "8.0.34-PlanetScale" / version_comment "PlanetScale"
    test: /vitess|planetscale/i,
    name: 'Vitess/PlanetScale',
    why: 'GET_LOCK holds only on one reserved connection of one shard, foreign keys are refused unless enabled for an unsharded keyspace, and schema changes go through deploy requests (managed online DDL that returns before the change is made)',
  },
]

/** The unsupported server that `version` (what `select version()` answers) names, if any. */
export function unsupportedServerOf(version: string): UnsupportedServer | undefined {
  const found = UNSUPPORTED.find((server) => server.test.test(version))
  return found && { name: found.name, why: found.why }
}

export class UnsupportedServerError extends AuthDbError {
  override name = 'UnsupportedServerError'
  constructor(readonly server: UnsupportedServer) {
    super(
      `${server.name} is not supported for migrations: ${server.why}; migrate a PostgreSQL, MySQL or MariaDB (Galera included) database instead (docs/other-engines.md)`,
    )
  }
}

/**
 * Rejects with {@link UnsupportedServerError} on CockroachDB, YugabyteDB, TiDB or Vitess. One
 * query (`select version()` answers on every engine the module speaks to, PGlite included).
 */
export async function assertMigratableServer(db: Kysely<any>): Promise<void> {
  const { rows } = await sql<{ version: string }>`select version() as version`.execute(db)
  const server = unsupportedServerOf(String(rows[0]?.version ?? ''))
  if (server) throw new UnsupportedServerError(server)
}
