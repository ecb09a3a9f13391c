/**
 * A throw-away 3-node MariaDB Galera Cluster on loopback ports, for the tests and the bench:
 * the machine's `mariadbd` with Debian's `galera-4` provider, each node in a data folder of its
 * own (made by `mariadb-install-db`), the first node bootstrapping the cluster
 * (`--wsrep-new-cluster`) and the others joining it by rsync state transfer. `stop()` shuts every
 * node down and removes the folders.
 *
 * Gated like other heavy software: it runs when `CI_TOPOLOGY=1` (CI sets it for one Node version
 * only), or outside CI when the software is installed; otherwise suites skip with the reason.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './free-port.js'

export const GALERA_PROVIDER = '/usr/lib/galera/libgalera_smm.so'
const MARIADBD = '/usr/sbin/mariadbd'

/** Why a Galera cluster cannot be started here, or undefined when it can. */
export function galeraUnavailableReason(): string | undefined {
  const missing = [GALERA_PROVIDER, MARIADBD].filter((file) => !existsSync(file))
  const installDb = spawnSync('mariadb-install-db', ['--help'], { stdio: 'ignore' }).error === undefined
  if (process.env.CI_TOPOLOGY === '1') return undefined // CI installed it: a missing piece must fail
  if (process.env.CI) return 'topology suites run in CI only with CI_TOPOLOGY=1 (one Node version)'
  if (missing.length > 0) return `${missing.join(' and ')} not installed (apt-get install galera-4 mariadb-server)`
  if (!installDb) return 'mariadb-install-db not found'
  if (!existsSync('/usr/bin/rsync')) return 'rsync not installed (the nodes join by rsync state transfer)'
  return undefined
}

export interface GaleraCluster {
  /** `mysql://root@127.0.0.1:<port>` of each node, without a database. */
  readonly nodeUrls: readonly string[]
  /** The same URL naming `database`. */
  urlFor(node: number, database: string): string
  stop(): Promise<void>
}

interface NodePorts {
  readonly client: number
  readonly gcomm: number
  readonly ist: number
  readonly sst: number
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr!.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${stderr.slice(-500)}`))))
  })
}

/** A node's status variable, read with the `mariadb` client; undefined while it does not answer. */
function status(port: number, name: string): string | undefined {
  const result = spawnSync('mariadb', ['-uroot', '-h127.0.0.1', `-P${port}`, '-N', '-B', '-e', `show status like '${name}'`], { encoding: 'utf8', timeout: 5000 })
  if (result.status !== 0) return undefined
  return result.stdout.trim().split('\t')[1]
}

async function waitFor(what: string, until: () => boolean, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!until()) {
    if (Date.now() > deadline) {
      const log = spawnSync('tail', ['-n', '20', logFile], { encoding: 'utf8' }).stdout
      throw new Error(`Galera test cluster: ${what} did not happen within ${timeoutMs / 1000} s; ${logFile} ends:\n${log}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
}

/**
 * Starts a cluster of `size` nodes (3 by default) and resolves once every node is Synced.
 * `extraArgs(i)`: more `mariadbd` options for node `i` (0-based), e.g. binary logging.
 */
export async function startGaleraCluster(size = 3, { extraArgs }: { extraArgs?: (node: number) => string[] } = {}): Promise<GaleraCluster> {
  const asRoot = process.getuid?.() === 0
  const root = mkdtempSync(join(tmpdir(), 'artorizer-galera-'))
  // As root, mariadbd drops to `mysql`, and the rsync state transfer runs as that user too.
  if (asRoot) chownSync(root, mysqlUid(), mysqlGid())
  const ports: NodePorts[] = []
  for (let i = 0; i < size; i++) ports.push({ client: await freePort(), gcomm: await freePort(), ist: await freePort(), sst: await freePort() })
  const dataDir = (i: number) => join(root, `node${i + 1}`)
  const children: ChildProcess[] = []
  const killAll = () => children.forEach((child) => child.exitCode === null && child.kill('SIGKILL'))
  process.once('exit', killAll)

  // One after another: bootstrap servers started at once can collide on their temporary tables.
  try {
    for (let i = 0; i < size; i++) {
      await run('mariadb-install-db', [
        '--no-defaults',
        `--datadir=${dataDir(i)}`,
        ...(asRoot ? ['--user=mysql'] : []),
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
      ])
    }
  } catch (error) {
    rmSync(root, { recursive: true, force: true })
    throw error
  }
  const clusterAddress = `gcomm://${ports.map((p) => `127.0.0.1:${p.gcomm}`).join(',')}`
  const start = (i: number, bootstrap: boolean) => {
    const p = ports[i]!
    const child = spawn(
      MARIADBD,
      [
        '--no-defaults',
        ...(asRoot ? ['--user=mysql'] : []),
        `--datadir=${dataDir(i)}`,
        `--port=${p.client}`,
        '--bind-address=127.0.0.1',
        `--socket=${join(root, `node${i + 1}.sock`)}`,
        `--pid-file=${join(root, `node${i + 1}.pid`)}`,
        `--log-error=${join(root, `node${i + 1}.err`)}`,
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_general_ci',
        '--innodb-buffer-pool-size=128M',
        '--innodb-log-file-size=64M',
        '--innodb-flush-log-at-trx-commit=2',
        '--performance-schema=OFF',
        '--max-connections=300',
        '--binlog-format=ROW',
        '--innodb-autoinc-lock-mode=2',
        '--default-storage-engine=InnoDB',
        '--wsrep-on=ON',
        `--wsrep-provider=${GALERA_PROVIDER}`,
        '--wsrep-cluster-name=artorizer_test',
        `--wsrep-cluster-address=${clusterAddress}`,
        `--wsrep-node-name=node${i + 1}`,
        `--wsrep-node-address=127.0.0.1:${p.gcomm}`,
        `--wsrep-node-incoming-address=127.0.0.1:${p.client}`,
        `--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:${p.gcomm};ist.recv_addr=127.0.0.1:${p.ist};gcache.size=64M`,
        '--wsrep-sst-method=rsync',
        `--wsrep-sst-receive-address=127.0.0.1:${p.sst}`,
        ...(extraArgs?.(i) ?? []),
        ...(bootstrap ? ['--wsrep-new-cluster'] : []),
      ],
      { stdio: 'ignore' },
    )
    children.push(child)
  }
  const logOf = (i: number) => join(root, `node${i + 1}.err`)
  const synced = (i: number) => status(ports[i]!.client, 'wsrep_local_state_comment') === 'Synced'

  try {
    start(0, true)
    await waitFor('node 1 bootstrapping', () => synced(0), 60_000, logOf(0))
    for (let i = 1; i < size; i++) start(i, false)
    for (let i = 1; i < size; i++) await waitFor(`node ${i + 1} joining`, () => synced(i), 120_000, logOf(i))
    await waitFor(`a cluster of ${size}`, () => status(ports[0]!.client, 'wsrep_cluster_size') === String(size), 30_000, logOf(0))
  } catch (error) {
    killAll()
    rmSync(root, { recursive: true, force: true })
    throw error
  }

  const nodeUrls = ports.map((p) => `mysql://root@127.0.0.1:${p.client}`)
  return {
    nodeUrls,
    urlFor: (node, database) => `${nodeUrls[node]}/${database}`,
    async stop() {
      process.removeListener('exit', killAll)
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null) return resolve()
              const force = setTimeout(() => child.kill('SIGKILL'), 20_000)
              child.once('exit', () => (clearTimeout(force), resolve()))
              child.kill('SIGTERM')
            }),
        ),
      )
      rmSync(root, { recursive: true, force: true })
    },
  }
}

function mysqlUid(): number {
  return Number(spawnSync('id', ['-u', 'mysql'], { encoding: 'utf8' }).stdout.trim())
}
function mysqlGid(): number {
  return Number(spawnSync('id', ['-g', 'mysql'], { encoding: 'utf8' }).stdout.trim())
}
