/**
 * The writer's insert latency over time as an SVG chart, online versus naive, one file per
 * server. Written by hand: a scatter plot with a logarithmic axis is a few dozen lines of SVG,
 * less than any charting library would bring in (and nothing to install for `npm run bench`).
 *
 * Each dot is one insert: x is when it started, counted from the migration's start (the 5 s
 * before it are the idle writer), y how long it took, on a log scale so that a 20 ms blip and a
 * 16 s stall both show. A dashed line marks where each migration ended.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { LiveMigrationResult, RunTimeline } from './live-migration.js'
import type { ServerKind } from './servers.js'

const NAMES: Record<ServerKind, string> = { postgres: 'PostgreSQL', mysql: 'MariaDB/MySQL' }
const WIDTH = 900
const HEIGHT = 360
const MARGIN = { left: 64, right: 20, top: 44, bottom: 44 }
const SERIES = [
  { key: 'naive', label: 'naive statements', color: '#d62728' },
  { key: 'ours', label: 'migrateToLatest (online)', color: '#1f77b4' },
] as const

/** Writes `latency-<kind>.svg` into `dir`; returns the files written. */
export function writeLatencyCharts(dir: string, kind: ServerKind, result: Pick<LiveMigrationResult, 'rows' | 'samples'>): string[] {
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `latency-${kind}.svg`)
  writeFileSync(file, latencyChart(`${NAMES[kind]}: the writer's inserts while artwork_jobs (${result.rows.toLocaleString('en')} rows) is migrated`, result.samples))
  return [file]
}

export function latencyChart(title: string, runs: { readonly ours: RunTimeline; readonly naive: RunTimeline }): string {
  const all = [...runs.ours.samples, ...runs.naive.samples]
  // Folds, not `Math.max(...spread)`: a long naive run has more samples than a call takes arguments.
  const xMin = all.reduce((min, s) => Math.min(min, s.startedAt), 0) / 1000
  const xMax = all.reduce((max, s) => Math.max(max, s.startedAt + s.ms), Math.max(runs.ours.migrationMs, runs.naive.migrationMs)) / 1000
  const yMin = 0.1
  const yMax = 10 ** Math.ceil(Math.log10(all.reduce((max, s) => Math.max(max, s.ms), 10)))
  const plotW = WIDTH - MARGIN.left - MARGIN.right
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom
  const x = (seconds: number) => MARGIN.left + ((seconds - xMin) / (xMax - xMin || 1)) * plotW
  const y = (ms: number) => MARGIN.top + plotH - ((Math.log10(Math.max(ms, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * plotH
  const f = (n: number) => n.toFixed(1)

  const out: string[] = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`)
  out.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`)
  out.push(`<text x="${MARGIN.left}" y="20" font-size="14" font-weight="bold">${escape(title)}</text>`)
  // Y axis: decades, labelled in ms.
  for (let decade = yMin; decade <= yMax; decade *= 10) {
    const yy = f(y(decade))
    out.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${yy}" y2="${yy}" stroke="#ddd"/>`)
    out.push(`<text x="${MARGIN.left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${decade >= 1000 ? `${decade / 1000} s` : `${+decade.toPrecision(1)} ms`}</text>`)
  }
  // X axis: whole seconds, at a step that gives about ten ticks.
  const step = niceStep((xMax - xMin) / 10)
  for (let t = Math.ceil(xMin / step) * step; t <= xMax; t += step) {
    const xx = f(x(t))
    out.push(`<line x1="${xx}" x2="${xx}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 4}" stroke="#333"/>`)
    out.push(`<text x="${xx}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${+t.toFixed(2)} s</text>`)
  }
  out.push(`<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 6}" text-anchor="middle">time since the migration started (before 0: the writer alone)</text>`)
  out.push(`<text transform="translate(14 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">insert latency (log)</text>`)
  out.push(`<line x1="${f(x(0))}" x2="${f(x(0))}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#333"/>`)
  out.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`)

  // The legend goes on top of every dot, on a white background.
  const legend: string[] = [`<rect x="${WIDTH - MARGIN.right - 398}" y="${MARGIN.top + 2}" width="394" height="38" fill="white" fill-opacity="0.85"/>`]
  for (const [i, series] of SERIES.entries()) {
    const run = runs[series.key]
    const dots = run.samples.map((s) => `M${f(x(s.startedAt / 1000))} ${f(y(s.ms))}h0`).join('')
    out.push(`<path d="${dots}" stroke="${series.color}" stroke-width="3" stroke-linecap="round" stroke-opacity="0.6"/>`)
    const end = f(x(run.migrationMs / 1000))
    out.push(`<line x1="${end}" x2="${end}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="${series.color}" stroke-dasharray="4 3"/>`)
    const worst = run.samples.filter((s) => s.startedAt >= 0 && s.startedAt <= run.migrationMs).reduce((max, s) => Math.max(max, s.ms), 0)
    const legendX = WIDTH - MARGIN.right - 390
    const legendY = MARGIN.top + 14 + i * 16
    legend.push(`<circle cx="${legendX}" cy="${legendY - 4}" r="4" fill="${series.color}"/>`)
    legend.push(
      `<text x="${legendX + 10}" y="${legendY}">${escape(series.label)}: ${(run.migrationMs / 1000).toFixed(1)} s, worst insert ${worst >= 100 ? Math.round(worst) : worst.toFixed(1)} ms</text>`,
    )
  }
  out.push(...legend, '</svg>')
  return `${out.join('\n')}\n`
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw || 1))
  const scaled = raw / power
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
