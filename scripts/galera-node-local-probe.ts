/**
 * A check by hand (not a test: no assertion, it prints what the server answered) of what
 * node-local DDL on Galera depends on (docs/benchmarks.md, "Galera measured"), on a 3-node cluster of its own
 * whose nodes 1 and 2 binlog with `wsrep_gtid_mode` (node 3 does not):
 *
 * - which privilege `SET SESSION wsrep_on = OFF` needs (a user with every privilege on the
 *   database, then with one global privilege more at a time);
 * - that rows inserted, updated and deleted on nodes whose table differs by a trailing nullable
 *   column (added on node 1 with `wsrep_on = OFF`) apply on the other nodes, both ways;
 * - the GTIDs the local `ALTER` gets (`gtid_binlog_pos` on each node);
 * - what `wsrep_mode = DISALLOW_LOCAL_GTID` refuses (a local `ALTER`, a local insert).
 *
 *   npx tsx scripts/galera-node-local-probe.ts
 */
import { sql, type Kysely } from 'kysely'
import { connectDatabase } from '../src/index.js'
import { startGaleraCluster } from '../test/support/galera-cluster.js'

/** Nodes 1 and 2 binlog, Galera's writes in domain 1 (`wsrep_gtid_mode`), local ones in 10 and 11. */
const binlog = (i: number) => (i < 2 ? ['--log-bin=mysql-bin', '--log-slave-updates=ON', '--server-id=1', '--wsrep-gtid-mode=ON', '--wsrep-gtid-domain-id=1', `--gtid-domain-id=${10 + i}`] : [])

async function on<T>(url: string, work: (db: Kysely<any>) => Promise<T>): Promise<T> {
  const { db } = await connectDatabase({ url })
  try {
    return await work(db)
  } finally {
    await db.destroy()
  }
}
async function q(db: Kysely<any>, text: string): Promise<unknown> {
  try {
    const { rows } = await sql.raw(text).execute(db)
    return rows
  } catch (e) {
    return `ERROR ${(e as { code?: string }).code}: ${(e as Error).message}`
  }
}
/** Runs `statements` on one connection, printing each one's rows or error. */
async function oneConn(url: string, statements: string[]): Promise<void> {
  await on(url, (db) =>
    db.connection().execute(async (c) => {
      for (const s of statements) console.log(`  ${s} ->`, JSON.stringify(await q(c, s)))
    }),
  )
}
const status = (db: Kysely<any>) => q(db, "show status where variable_name in ('wsrep_cluster_size','wsrep_local_state_comment','wsrep_incoming_addresses')")

const cluster = await startGaleraCluster(3, { extraArgs: binlog })
const n = cluster.nodeUrls
try {
  await on(`${n[0]}/mysql`, (db) => q(db, 'create database probe'))
  await oneConn(`${n[0]}/probe`, ['create table t (id bigint primary key auto_increment, a varchar(40) not null) engine=InnoDB', "insert into t (a) select concat('r', seq) from seq_1_to_10000"])
  await new Promise((r) => setTimeout(r, 1000))
  for (const [i, u] of n.entries()) await on(`${u}/probe`, async (db) => console.log(`node ${i + 1}:`, JSON.stringify(await q(db, "select @@gtid_binlog_pos as binlog, @@gtid_current_pos as cur, @@log_bin as log_bin, @@wsrep_mode as mode, (select count(*) from t) as n")), JSON.stringify(await status(db))))
  console.log('privilege: a user with ALL on probe.* only')
  await oneConn(`${n[0]}/mysql`, ["create user 'app'@'%' identified by 'pw'", "grant all on probe.* to 'app'@'%'"])
  const appUrl = n[0]!.replace('root@', 'app:pw@')
  await oneConn(`${appUrl}/probe`, ['set session wsrep_on = OFF', 'select @@session.wsrep_on as w', 'show status like "wsrep_incoming_addresses"'])
  for (const priv of ['SUPER', 'REPLICATION MASTER ADMIN', 'BINLOG ADMIN', 'CONNECTION ADMIN']) {
    await oneConn(`${n[0]}/mysql`, [`revoke all privileges, grant option from 'app'@'%'`, "grant all on probe.* to 'app'@'%'", `grant ${priv} on *.* to 'app'@'%'`])
    console.log(`with ${priv}:`)
    await oneConn(`${appUrl}/probe`, ['set session wsrep_on = OFF', 'select @@session.wsrep_on as w'])
  }
  console.log('node-local ADD COLUMN on node 1 (binlog on):')
  await oneConn(`${n[0]}/probe`, ['set session wsrep_on = OFF', 'alter table t add column b varchar(10) null, algorithm=instant', 'set session wsrep_on = ON'])
  console.log('rows across the mismatch: node 2 (no b) inserts, node 1 (b) inserts with b set and NULL')
  await oneConn(`${n[1]}/probe`, ["insert into t (a) values ('from2')"])
  await oneConn(`${n[0]}/probe`, ["insert into t (a) values ('from1-null')", "insert into t (a, b) values ('from1-b', 'x')", "update t set a = 'upd-on-1' where a = 'r1'"])
  await oneConn(`${n[1]}/probe`, ["update t set a = 'upd-on-2' where a = 'r2'", "delete from t where a = 'r3'"])
  await new Promise((r) => setTimeout(r, 1000))
  for (const [i, u] of n.entries()) await on(`${u}/probe`, async (db) => console.log(`node ${i + 1}:`, JSON.stringify(await q(db, "select @@gtid_binlog_pos as binlog, (select count(*) from t) as n, (select group_concat(a order by id) from t where a like 'from%' or a like 'upd%') as r")), JSON.stringify(await status(db))))
  console.log('DISALLOW_LOCAL_GTID on node 1 (binlog) and node 3 (no binlog):')
  for (const i of [0, 2]) {
    await oneConn(`${n[i]}/probe`, ["set global wsrep_mode = 'DISALLOW_LOCAL_GTID'", 'set session wsrep_on = OFF', `alter table t add index t_a_${i} (a), algorithm=inplace, lock=none`, "insert into t (a) values ('local-dml')", 'set session wsrep_on = ON', "set global wsrep_mode = ''"])
  }
  for (const [i, u] of n.entries()) await on(`${u}/probe`, async (db) => console.log(`node ${i + 1}:`, JSON.stringify(await status(db))))
} finally {
  await cluster.stop()
}
