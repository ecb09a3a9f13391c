/** The benchmark's latency chart (bench/chart.ts) draws any number of inserts. */
import { describe, expect, it } from 'vitest'
import { latencyChart } from '../../bench/chart.js'

describe('latencyChart', () => {
  it('draws a run with more inserts than a function call takes arguments (a 10,000,000-row naive run on MariaDB)', () => {
    // 110 s of back-to-back inserts at about 1 ms each; Math.max(...samples) overflowed the stack here.
    const samples = Array.from({ length: 300_000 }, (_, i) => ({ startedAt: i - 5_000, ms: i === 50_000 ? 65_800 : 1, failed: false }))
    const svg = latencyChart('test', { ours: { migrationMs: 48_700, samples: samples.slice(0, 60_000) }, naive: { migrationMs: 109_300, samples } })
    expect(svg).toMatch(/^<svg /)
    expect(svg).toContain('worst insert 65800 ms')
    expect(svg).toContain('100 s</text>')
  })
})
