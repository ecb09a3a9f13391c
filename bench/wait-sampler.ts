/**
 * What the writer's session is waiting on, sampled from a connection of its own every few
 * milliseconds: PostgreSQL's `pg_stat_activity.wait_event_type`/`wait_event` (no event while
 * active means running on a CPU, or waiting for one), MySQL/MariaDB's processlist `STATE`.
 * The benchmark reads the samples that fall inside the worst insert, so that a stall says
 * whether it was a lock (ours to fix in the recipes) or the machine (I/O, CPU).
 */
import type { ServerKind } from './servers.js'

export interface WaitSample {
  readonly at: number
  readonly state: string
}

export interface WaitSampler {
  stop(): Promise<WaitSample[]>
}

const INTERVAL_MS = 5

export async function startWaitSampler(kind: ServerKind, url: string, sessionId: number): Promise<WaitSampler> {
  const read = kind === 'postgres' ? await pgReader(url, sessionId) : await mysqlReader(url, sessionId)
  const samples: WaitSample[] = []
  let stopping = false
  const loop = (async () => {
    while (!stopping) {
      const at = performance.now()
      const state = await read.state().catch(() => undefined)
      if (state) samples.push({ at, state })
      await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS))
    }
  })()
  return {
    async stop() {
      stopping = true
      await loop
      await read.close()
      return samples
    },
  }
}

/** The states sampled in `[from, to]`, most frequent first: `Lock:relation ×12, CPU ×3`. */
export function describeWaits(samples: readonly WaitSample[], from: number, to: number): string | undefined {
  const counts = new Map<string, number>()
  for (const s of samples) if (s.at >= from && s.at <= to) counts.set(s.state, (counts.get(s.state) ?? 0) + 1)
  if (counts.size === 0) return undefined
  return [...counts].sort((a, b) => b[1] - a[1]).map(([state, n]) => `${state} ×${n}`).join(', ')
}

interface StateReader {
  state(): Promise<string | undefined>
  close(): Promise<void>
}

async function pgReader(url: string, pid: number): Promise<StateReader> {
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  return {
    async state() {
      const { rows } = await client.query<{ state: string | null; wait_event_type: string | null; wait_event: string | null }>(
        'select state, wait_event_type, wait_event from pg_stat_activity where pid = $1',
        [pid],
      )
      const row = rows[0]
      if (!row || row.state !== 'active') return undefined
      return row.wait_event_type ? `${row.wait_event_type}:${row.wait_event}` : 'CPU'
    },
    close: () => client.end(),
  }
}

async function mysqlReader(url: string, id: number): Promise<StateReader> {
  const { createConnection } = await import('mysql2/promise')
  const connection = await createConnection({ uri: url })
  return {
    async state() {
      const [rows] = await connection.query('select command, state from information_schema.processlist where id = ?', [id])
      const row = (rows as { command: string; state: string | null }[])[0]
      if (!row || row.command === 'Sleep') return undefined
      return row.state || row.command
    },
    close: () => connection.end(),
  }
}
