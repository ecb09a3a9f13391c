/**
 * Telling CockroachDB, YugabyteDB, TiDB and Vitess/PlanetScale from PostgreSQL, MySQL and
 * MariaDB by what `select version()` answers (the refusal itself cannot be run here: none of
 * those servers is on this machine).
 */
import { describe, expect, it } from 'vitest'
import { UnsupportedServerError, unsupportedServerOf } from '../../src/engines/unsupported-servers.js'

describe('unsupportedServerOf', () => {
  it.each([
    ['CockroachDB CCL v23.1.11 (x86_64-pc-linux-gnu, built 2023/09/27 01:53:43, go1.19.10)', 'CockroachDB'],
    ['CockroachDB OSS v2.1.0 (x86_64-unknown-linux-gnu, built 2018/10/30 12:26:29, go1.10)', 'CockroachDB'],
    ['PostgreSQL 11.2-YB-2.20.1.0-b0 on x86_64-pc-linux-gnu, compiled by clang version 16.0.6, 64-bit', 'YugabyteDB'],
    ['PostgreSQL 15.2-YB-2025.1.0.0-b0 on x86_64-pc-linux-gnu, compiled by clang version 17.0.6, 64-bit', 'YugabyteDB'],
    ['8.0.11-TiDB-v7.5.1', 'TiDB'],
    ['5.7.25-TiDB-v6.5.0', 'TiDB'],
    ['8.0.30-Vitess', 'Vitess/PlanetScale'],
    ['8.0.34-PlanetScale', 'Vitess/PlanetScale'],
    ['5.7.9-vitess-16.0.2', 'Vitess/PlanetScale'],
  ])('%s is %s', (version, name) => {
    expect(unsupportedServerOf(version)?.name).toBe(name)
  })

  it.each([
    'PostgreSQL 15.14 (Debian 15.14-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit',
    'PostgreSQL 17.5 on x86_64-pc-linux-musl, compiled by gcc (Alpine 14.2.0) 14.2.0, 64-bit',
    'PostgreSQL 16.4 on aarch64-unknown-linux-gnu, compiled by gcc (GCC) 7.3.1 20180712 (Red Hat 7.3.1-12), 64-bit', // Aurora/RDS
    '10.11.19-MariaDB-0+deb12u1',
    '10.11.19-MariaDB-0+deb12u1-log',
    '11.4.2-MariaDB-ubu2404',
    '8.4.3',
    '8.0.39-0ubuntu0.22.04.1',
    '8.0.35-27', // Percona Server
    '',
  ])('%j is a supported server', (version) => {
    expect(unsupportedServerOf(version)).toBeUndefined()
  })

  it('refuses with one line naming the server and the docs page', () => {
    const error = new UnsupportedServerError(unsupportedServerOf('8.0.30-Vitess')!)
    expect(error.message.split('\n')).toHaveLength(1)
    expect(error.message).toMatch(/^Vitess\/PlanetScale is not supported for migrations: .*deploy requests.*docs\/other-engines\.md\)$/)
  })
})
