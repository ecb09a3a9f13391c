/**
 * The benchmark's tables, printed as Markdown so that a run can be pasted into docs/benchmarks.md as
 * it is.
 */
import type { BenchReport } from './run.js'
import { ID_CHANGE_STALL_TARGET_MS, LINK_SPEED_TARGET, RENAME_STALL_TARGET_MS, SCALING_STALL_TARGET_MS } from './targets.js'
import { DEFAULT_LINK_BATCH_SIZE } from '../src/artworks/link.js'
import { GALERA_WAY_LABELS, type GaleraResult } from './galera.js'
import type { ServerKind } from './servers.js'
import type { ProbeResult } from './startup.js'
import { printCommands } from './commands.js'

const NAMES: Record<ServerKind, string> = { postgres: 'PostgreSQL', mysql: 'MariaDB/MySQL' }

export function printReport(report: BenchReport, print: (line: string) => void): void {
  const load = (l: readonly number[]) => l.map((x) => x.toFixed(2)).join(' / ')
  print('')
  const rowsLine = Object.keys(report.live).length > 0 ? `${report.rows.toLocaleString('en')} rows in artwork_jobs; ` : ''
  print(
    `${rowsLine}${report.machine.cpus} cores, load average (1/5/15 min) ` +
      `${load(report.machine.loadBefore)} before, ${load(report.machine.loadAfter)} after; Node ${report.machine.node}`,
  )

  const live = Object.entries(report.live) as [ServerKind, NonNullable<BenchReport['live'][ServerKind]>][]
  if (live.length > 0) {
    print('')
    print('Linking artwork_jobs to users while a writer inserts back to back:')
    print('')
    const rows: string[][] = []
    for (const [kind, result] of live) {
      const { ours, naive } = result
      const target = report.targets[kind]
      rows.push([NAMES[kind], 'migrateToLatest (online)', seconds(ours.migrationMs), ms(ours.writer.worstMs), ms(ours.writer.p99Ms), count(ours.writer.inserts), ms(ours.idle.worstMs), ms(ours.idle.p99Ms),
        `${ours.writer.worstMs <= target ? '✅' : '❌'} ≤ ${target} ms`])
      rows.push([NAMES[kind], 'naive statements', seconds(naive.migrationMs), ms(naive.writer.worstMs), ms(naive.writer.p99Ms), count(naive.writer.inserts), ms(naive.idle.worstMs), ms(naive.idle.p99Ms), ''])
      rows.push([NAMES[kind], 'naive ÷ online', ratio(naive.migrationMs, ours.migrationMs), ratio(naive.writer.worstMs, ours.writer.worstMs),
        ratio(naive.writer.p99Ms, ours.writer.p99Ms), '', '', '', ''])
    }
    printTable(print, ['database', 'how', 'migration', 'writer worst', 'writer p99', 'inserts done', 'idle worst (5 s before)', 'idle p99', 'worst-stall target'], rows)
    print('')
    for (const [kind, { ours, naive }] of live) {
      print(`${NAMES[kind]}: the worst insert waited on \`${ours.worstDuring ?? '-'}\` (online), \`${naive.worstDuring ?? '-'}\` (naive)`)
      print(`${NAMES[kind]}: the writer's session during its worst insert (sampled every 5 ms): ${ours.worstWaitedFor ?? 'not caught'} (online), ${naive.worstWaitedFor ?? 'not caught'} (naive)`)
    }
  }

  if (report.scaling.length > 1) {
    print('')
    print(`How it scales (the online migration's time may grow with the table; the writer's worst insert must not: ≤ ${SCALING_STALL_TARGET_MS} ms):`)
    print('')
    const rows: string[][] = []
    for (const { rows: size, live: bySize } of report.scaling) {
      for (const [kind, { ours, naive }] of Object.entries(bySize) as [ServerKind, NonNullable<BenchReport['live'][ServerKind]>][]) {
        rows.push([NAMES[kind], count(size), seconds(ours.migrationMs), ms(ours.writer.worstMs), ms(ours.idle.worstMs), seconds(naive.migrationMs), ms(naive.writer.worstMs),
          `${ours.writer.worstMs <= SCALING_STALL_TARGET_MS ? '✅' : '❌'} ≤ ${SCALING_STALL_TARGET_MS} ms`, `\`${(ours.worstDuring ?? '-').slice(0, 60)}\``, ours.worstWaitedFor ?? 'not caught'])
      }
    }
    rows.sort((a, b) => a[0]!.localeCompare(b[0]!))
    printTable(print, ['database', 'rows', 'online migration', 'online writer worst', 'idle worst', 'naive migration', 'naive writer worst', 'target', 'online worst insert overlapped', 'writer seen waiting on'], rows)
  }

  const link = Object.entries(report.link) as [ServerKind, NonNullable<BenchReport['link'][ServerKind]>][]
  if (link.length > 0) {
    print('')
    print(
      `artworks:link of ${count(link[0]![1].rows)} legacy artworks to ${count(link[0]![1].users)} users, beside the hand-written staging-table join ` +
        '(temporary table, multi-row INSERTs, one UPDATE … JOIN), run before and after each linkArtworks run; "floor" is the mean of those two:',
    )
    print('')
    const rows: string[][] = []
    for (const [kind, result] of link) {
      const stagingRates = result.staging.map((way) => way.rowsPerSecond).sort((a, b) => a - b)
      rows.push([NAMES[kind], `staging-table join (${result.staging.length} runs)`, `${seconds(Math.min(...result.staging.map((w) => w.ms)))} best`,
        `${count(Math.round(stagingRates[0]!))}–${count(Math.round(stagingRates.at(-1)!))}`, '', '', ''])
      for (const way of result.ours) {
        const floor = way.floorRowsPerSecond ?? 0
        const share = floor > 0 ? way.rowsPerSecond / floor : 0
        const isDefault = way.batchSize === DEFAULT_LINK_BATCH_SIZE
        rows.push([NAMES[kind], `linkArtworks, batch ${count(way.batchSize ?? 0)}${isDefault ? ' (default)' : ''}`, seconds(way.ms), count(Math.round(way.rowsPerSecond)),
          count(Math.round(floor)), share.toFixed(2), isDefault ? `${share >= LINK_SPEED_TARGET ? '✅' : '❌'} ≥ ${LINK_SPEED_TARGET}` : ''])
      }
    }
    printTable(print, ['database', 'how', 'time', 'rows/s', 'floor rows/s', '÷ floor', 'target (default batch)'], rows)
  }

  const plugins = Object.entries(report.plugins ?? {}) as [ServerKind, NonNullable<NonNullable<BenchReport['plugins']>[ServerKind]>][]
  if (plugins.length > 0) {
    const first = plugins[0]![1]
    print('')
    print(
      `The plugin set (organization with teams, two-factor, admin, username, passkey, API keys, six additional fields; ${first.adds} tables, columns, indexes and keys) ` +
        `added to a database of ${count(first.users)} users and ${count(first.rows)} artworks, while a writer inserts artworks owned by a user:`,
    )
    print('')
    const rows: string[][] = []
    for (const [kind, result] of plugins) {
      const target = report.targets[kind]
      for (const [how, run] of [['generated migration, migrateToLatest', result.ours], [result.naiveHow, result.naive]] as const) {
        rows.push([NAMES[kind], how, seconds(run.migrationMs), ms(run.writer.worstMs), ms(run.writer.p99Ms), count(run.writer.inserts), ms(run.idle.worstMs),
          run === result.ours ? `${run.writer.worstMs <= target ? '✅' : '❌'} ≤ ${target} ms` : '', `\`${(run.worstDuring ?? '-').slice(0, 60)}\``])
      }
    }
    printTable(print, ['database', 'how', 'migration', 'writer worst', 'writer p99', 'inserts done', 'idle worst (5 s before)', 'worst-stall target', 'worst insert overlapped'], rows)
    print('')
    print(`The same, while another transaction holds \`user\` for ${first.busy.holdMs / 1000} s (it read it and stays open; the migration starts 0.3 s later):`)
    print('')
    const busyRows: string[][] = []
    for (const [kind, result] of plugins) {
      const { ours, naive, targetMs } = result.busy
      busyRows.push([NAMES[kind], 'generated migration, migrateToLatest', seconds(ours.migrationMs), ms(ours.writer.worstMs), ms(ours.writer.p99Ms), count(ours.writer.inserts), count(ours.writer.failed),
        `${ours.writer.worstMs <= targetMs && ours.writer.failed === 0 ? '✅' : '❌'} ≤ ${targetMs} ms`, `\`${(ours.worstDuring ?? '-').slice(0, 60)}\``])
      busyRows.push([NAMES[kind], result.naiveHow, seconds(naive.migrationMs), ms(naive.writer.worstMs), ms(naive.writer.p99Ms), count(naive.writer.inserts), count(naive.writer.failed), '',
        `\`${(naive.worstDuring ?? '-').slice(0, 60)}\``])
    }
    printTable(print, ['database', 'how', 'migration (waits its turn)', 'writer worst', 'writer p99', 'inserts done', 'failed', 'target (busy table)', 'worst insert overlapped'], busyRows)
  }

  const renames = Object.entries(report.rename ?? {}) as [ServerKind, NonNullable<NonNullable<BenchReport['rename']>[ServerKind]>][]
  if (renames.length > 0) {
    const first = renames[0]![1]
    print('')
    print(
      `Renaming Better Auth's core tables to plural names and snake_case columns (${first.renames.length} renames: ${first.renames.slice(0, 2).join(', ')}, …) ` +
        `on a database of ${count(first.users)} users and ${count(first.rows)} artworks owned by them, while a writer inserts artworks owned by a user ` +
        `and another transaction holds \`user\` for ${first.holdMs / 1000} s (it read it and stays open; the migration starts 0.3 s later):`,
    )
    print('')
    const rows: string[][] = []
    for (const [kind, result] of renames) {
      for (const [how, run] of [['generated migration, migrateToLatest (short tries, retried)', result.ours], ['plain rename statements (default lock wait)', result.naive]] as const) {
        rows.push([NAMES[kind], how, seconds(run.migrationMs), ms(run.writer.worstMs), ms(run.writer.p99Ms), count(run.writer.inserts), count(run.writer.failed), ms(run.idle.worstMs),
          run === result.ours ? `${run.writer.worstMs <= RENAME_STALL_TARGET_MS && run.writer.failed === 0 ? '✅' : '❌'} ≤ ${RENAME_STALL_TARGET_MS} ms` : '',
          `\`${(run.worstDuring ?? '-').slice(0, 60)}\``, run.worstWaitedFor ?? 'not caught'])
      }
    }
    printTable(print, ['database', 'how', 'migration (waits its turn)', 'writer worst', 'writer p99', 'inserts done', 'failed', 'idle worst (5 s before)', 'target', 'worst insert overlapped', 'writer seen waiting on'], rows)
  }

  const idChanges = Object.entries(report.ids ?? {}) as [ServerKind, NonNullable<NonNullable<BenchReport['ids']>[ServerKind]>][]
  if (idChanges.length > 0) {
    print('')
    print(
      `Ids of another type: Better Auth's ids from strings to uuids (\`generateId: 'uuid'\`) on a database whose core tables are empty and whose ` +
        `artwork_jobs holds ${count(idChanges[0]![1].rows)} artworks with no owner (user_id NULL), while a writer inserts artworks:`,
    )
    print('')
    const rows: string[][] = []
    for (const [kind, result] of idChanges) {
      for (const [how, run] of [['generated migration, migrateToLatest (user_id remade, indexes online)', result.ours], [kind === 'postgres' ? 'plain ALTER COLUMN … TYPE uuid (default lock wait)' : 'plain MODIFY COLUMN … varchar(36) (default lock wait)', result.naive]] as const) {
        const gaveUp = run === result.ours && result.oursFailure !== undefined
        rows.push([NAMES[kind], how, `${seconds(run.migrationMs)}${gaveUp ? ' (did not finish)' : ''}`, ms(run.writer.worstMs), ms(run.writer.p99Ms), count(run.writer.inserts), count(run.writer.failed), ms(run.idle.worstMs),
          run === result.ours ? `${run.writer.worstMs <= ID_CHANGE_STALL_TARGET_MS && run.writer.failed === 0 && !gaveUp ? '✅' : '❌'} ≤ ${ID_CHANGE_STALL_TARGET_MS} ms` : '',
          `\`${(run.worstDuring ?? '-').slice(0, 60)}\``, run.worstWaitedFor ?? 'not caught'])
      }
    }
    printTable(print, ['database', 'how', 'migration', 'writer worst', 'writer p99', 'inserts done', 'failed', 'idle worst (5 s before)', 'target', 'worst insert overlapped', 'writer seen waiting on'], rows)
    print('')
    for (const [kind, result] of idChanges) {
      const retried = result.oursRetried.map((s) => `\`${s.sql.slice(0, 110)}\` ×${s.tries}`).join(', ')
      print(`${NAMES[kind]}: statements of the generated migration tried more than once (each try gave way after its short lock wait): ${retried || 'none'}`)
      if (result.oursFailure !== undefined) print(`${NAMES[kind]}: the generated migration did not finish: ${result.oursFailure}`)
    }
  }

  if (report.galera) printGalera(report.galera, report.targets.mysql, print)

  const boot = Object.entries(report.boot) as [ServerKind, NonNullable<BenchReport['boot'][ServerKind]>][]
  if (boot.length > 0) {
    print('')
    print('Boot check on an up-to-date database (fresh pool each time, median of 7; round trips = statements sent):')
    print('')
    const ways = [
      ['artorizer-auth-db `migrateToLatest`', 'ours'],
      ["Kysely's `Migrator.migrateToLatest()`", 'kyselyMigrator'],
      ["Better Auth's `getMigrations`", 'betterAuthGetMigrations'],
    ] as const
    printTable(
      print,
      ['check', ...boot.flatMap(([kind]) => [`${NAMES[kind]} time`, `${NAMES[kind]} round trips`])],
      ways.map(([label, key]) => [label, ...boot.flatMap(([, result]) => [ms(result[key].ms), String(result[key].roundTrips)])]),
    )
  }

  if (report.startup) {
    print('')
    print('Startup in a fresh Node process (compiled module; median of 3):')
    print('')
    const { boots, pglite } = report.startup
    const row = (label: string, p: ProbeResult) => [label, ms(p.importMs), ms(p.openMs), ms(p.migrateMs), String(p.queries), (p.packages ?? []).filter(isDriverOrAuth).join(', ')]
    const rows = Object.entries(boots)
      .filter(([kind]) => kind !== 'pglite')
      .map(([kind, p]) => row(`${NAMES[kind as ServerKind]}, up to date`, p))
    rows.push(row('PGlite warm (folder reused, up to date)', pglite.warm))
    rows.push(row(`PGlite cold (new folder, ${pglite.cold.applied.length} migrations)`, pglite.cold))
    printTable(print, ['start', 'import', 'open database', 'migrateToLatest', 'its round trips', 'drivers / auth loaded'], rows)
  }
  if (report.commands) printCommands(report.commands, print)
}

function printGalera(galera: GaleraResult, target: number, print: (line: string) => void): void {
  print('')
  print(`MariaDB Galera Cluster, 3 nodes, ${galera.rows.toLocaleString('en')} rows: migrating on node 1 while node 2 inserts one row at a time and node 3 in two-insert transactions:`)
  print('')
  const errors = (e: Record<string, number>) => Object.entries(e).map(([code, n]) => `${n} ${code}`).join(', ') || 'none'
  const rows = galera.runs.map((run) => [
    GALERA_WAY_LABELS[run.way],
    seconds(run.migrationMs),
    ms(run.single.during.worstMs),
    ms(run.single.during.p99Ms),
    ms(run.single.idle.worstMs),
    errors(run.single.errors),
    ms(run.transaction.during.worstMs),
    ms(run.transaction.during.p99Ms),
    ms(run.transaction.idle.worstMs),
    errors(run.transaction.errors),
    run.converged ? 'yes' : 'NO',
    `${Math.max(run.single.during.worstMs, run.transaction.during.worstMs) <= target ? '✅' : '❌'} ≤ ${target} ms`,
  ])
  printTable(print, ['how', 'migration', 'node 2 worst', 'node 2 p99', 'node 2 idle worst', 'node 2 errors', 'node 3 worst', 'node 3 p99', 'node 3 idle worst', 'node 3 errors', 'same on every node', 'target'], rows)
  print('')
  for (const run of galera.runs) {
    if (run.failure) print(`${GALERA_WAY_LABELS[run.way]}: did not finish: ${run.failure}`)
    if (run.ddlGaveWay > 0) print(`${GALERA_WAY_LABELS[run.way]}: ${run.ddlGaveWay} statement tries gave way after their metadata-lock wait`)
    if (run.ddlAborted > 0) print(`${GALERA_WAY_LABELS[run.way]}: ${run.ddlAborted - run.ddlCut} statement tries were aborted by the node's appliers${run.ddlCut > 0 ? `, ${run.ddlCut} cut by the watchdog,` : ''} and tried again`)
    print(`${GALERA_WAY_LABELS[run.way]}: inserts over ${target} ms: node 2 ${run.single.slow.during} during the migration (${run.single.slow.idle} in the idle window), node 3 ${run.transaction.slow.during} (${run.transaction.slow.idle})`)
    if (run.nodeStepMs.length > 0) print(`${GALERA_WAY_LABELS[run.way]}: node-local step ${run.nodeStepMs.map((t, i) => `node ${i + 1} ${seconds(t)}`).join(', ')}`)
    if (run.clusterSizes.some((n) => n !== run.clusterSizes.length)) print(`${GALERA_WAY_LABELS[run.way]}: cluster size seen from each node at the end: ${run.clusterSizes.join(', ')}`)
    print(`${GALERA_WAY_LABELS[run.way]}: node 2's worst insert waited on \`${run.single.worstDuring ?? '-'}\`, node 3's on \`${run.transaction.worstDuring ?? '-'}\``)
  }
}

/** The packages whose loading the startup row is about. */
function isDriverOrAuth(name: string): boolean {
  return ['pg', 'mysql2', '@electric-sql/pglite', 'better-auth'].includes(name)
}

function printTable(print: (line: string) => void, header: string[], rows: string[][]): void {
  print(`| ${header.join(' | ')} |`)
  print(`| ${header.map((_, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`)
  for (const row of rows) print(`| ${row.join(' | ')} |`)
}

function ms(value: number): string {
  return value >= 100 ? `${Math.round(value).toLocaleString('en')} ms` : `${value.toFixed(1)} ms`
}

function seconds(value: number): string {
  return `${(value / 1000).toFixed(2)} s`
}

function count(value: number): string {
  return value.toLocaleString('en')
}

function ratio(a: number, b: number): string {
  return b > 0 ? `${(a / b).toFixed(a / b >= 10 ? 0 : 1)}×` : ''
}
