/**
 * The seed's "Testing This Phase" checks, against the live catalog: the tables exist, their
 * columns have the dialect's types, the foreign keys cascade, and the indexes are there (by the
 * docs/schema.md's names, or an equivalent index: same columns in the same order).
 *
 * The comparison itself is `compareSchema` (`src/planner/schema-diff.ts`), run once per
 * verification; each check here renders its kind of comparison as checklist items, a finding
 * each (with its code), or one `ok` item for an object that matches.
 */
import type { Comparison } from '../planner/schema-diff.js'
import type { CheckItem, VerifyCheck, VerifyContext } from './check.js'

function render(kind: Comparison['kind'], context: VerifyContext): CheckItem[] {
  return context.comparisons
    .filter((comparison) => comparison.kind === kind)
    .flatMap((comparison): CheckItem[] => {
      if (comparison.findings.length === 0) {
        return [{ status: 'ok', subject: comparison.subject, ...(comparison.note ? { detail: comparison.note } : {}) }]
      }
      return comparison.findings.map((finding) => ({
        status: finding.severity === 'warn' ? 'warn' : 'fail',
        code: finding.code,
        subject: comparison.subject,
        detail: finding.problem,
        fix: finding.fix,
      }))
    })
}

export const tablesCheck: VerifyCheck = { name: 'tables', title: 'Tables', run: async (context) => render('table', context) }

export const columnsCheck: VerifyCheck = { name: 'columns', title: 'Columns and types', run: async (context) => render('columns', context) }

export const foreignKeysCheck: VerifyCheck = { name: 'foreign-keys', title: 'Foreign keys', run: async (context) => render('foreign-key', context) }

export const indexesCheck: VerifyCheck = { name: 'indexes', title: 'Indexes', run: async (context) => render('index', context) }
