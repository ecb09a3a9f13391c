import { readFile } from 'node:fs/promises'
import { parseAssignmentsCsv, parseCsv } from '../../artworks/csv.js'
import { decodeUtf8Input, validateRecords } from '../../artworks/validate-input.js'
import { explainDatabaseError } from '../../db/explain-error.js'
import { DEFAULT_LINK_BATCH_SIZE, MAX_LINK_BATCH_SIZE, linkArtworks, type ArtworkAssignment, type LinkReport } from '../../artworks/link.js'
import { describeTarget } from '../../database-url/url.js'
import { refuseStandby } from '../../migrator/standby.js'
import { LinkInterruptedError, UsageError, describeError } from '../../errors.js'
import { plural, type Command, type OptionValues, type Output } from './command.js'

/** How many job ids a human-readable list shows before "and N more" (`--json` has them all). */
const SHOWN = 10

export const artworksLink: Command = {
  summary: 'link existing artworks (by job id) to a user (by email or id)',
  arguments: '[job-ids...]',
  options: [
    { flags: '--user <email|id>', description: 'link the job ids given after it to this user' },
    { flags: '--csv <file>', description: 'link job_id,email pairs from a CSV file (header optional)' },
    { flags: '--reassign', description: 'also move artworks linked to another user' },
    { flags: '--batch-size <n>', description: `job ids per transaction, 1 to ${MAX_LINK_BATCH_SIZE} (default ${DEFAULT_LINK_BATCH_SIZE})`, parse: parseBatchSize },
  ],
  examples: ['--user ada@example.com job-1 job-2', '--csv owners.csv', '--csv owners.csv --reassign --batch-size 5000'],
  validate(options, positionals) {
    if (options.user !== undefined && options.csv !== undefined) return 'give --user with job ids, or --csv, not both'
    if (options.csv !== undefined && positionals.length > 0) return `unexpected argument "${positionals[0]}": with --csv the jobs come from the file`
    if (options.csv === undefined && options.user === undefined) return 'say what to link: --user <email|id> <job-id>..., or --csv <file>'
    if (options.user !== undefined && positionals.length === 0) return 'give the job ids to link after --user <email|id>'
    return undefined
  },
  async run({ database, options, positionals, out }) {
    const assignments = await readAssignments(options, positionals)
    const where = describeTarget(database.target)
    await refuseStandby(database.db, 'writes') // a hot standby: one line naming it, before any batch
    out.line(`Linking ${plural(assignments.length, 'artwork')} in ${where}`)
    const report = await linkArtworks(database.db, assignments, {
      reassign: options.reassign === true,
      batchSize: options['batch-size'] as number | undefined,
      onBatch: out.interactive ? ({ done, total }) => total > done && out.line(`   ${done} of ${total}...`) : undefined,
    }).catch((error: unknown) => {
      // Say what the failed batch's database error means, keeping what was committed.
      if (error instanceof LinkInterruptedError) throw new LinkInterruptedError(error.progress, explainDatabaseError(error.cause, database.target))
      throw error
    })
    printReport(out, report, options.reassign === true)
    const complete = report.linked + report.reassigned + report.unchanged === report.requested
    out.result({ ok: complete, database: where, ...report })
    return complete ? 0 : 1
  },
}

/** `--batch-size`: a whole number from 1 to the maximum, refused before anything connects. */
function parseBatchSize(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > MAX_LINK_BATCH_SIZE) {
    throw new Error(`Give a whole number from 1 to ${MAX_LINK_BATCH_SIZE}.`)
  }
  return n
}

async function readAssignments(options: OptionValues, positionals: readonly string[]): Promise<ArtworkAssignment[]> {
  if (typeof options.csv === 'string') {
    let bytes: Buffer
    try {
      bytes = await readFile(options.csv)
    } catch (error) {
      throw new UsageError(`cannot read the CSV file ${options.csv}: ${describeError(error)}`)
    }
    // The whole file is checked before anything is written: encoding, then every value.
    const source = `the CSV file ${options.csv}`
    const text = decodeUtf8Input(bytes, source)
    validateRecords(parseCsv(text), source)
    const assignments = parseAssignmentsCsv(text)
    if (assignments.length === 0) throw new UsageError(`the CSV file ${options.csv} has no job_id,email lines`)
    return assignments
  }
  const user = String(options.user)
  return positionals.map((jobId) => ({ jobId, user }))
}

function printReport(out: Output, report: LinkReport, reassign: boolean): void {
  const changed = report.linked + report.reassigned
  if (changed === 0 && report.unchanged === report.requested) {
    out.line(`✅ Nothing to change: ${plural(report.unchanged, 'artwork')} already linked to ${report.unchanged === 1 ? 'its user' : 'their users'}`)
    return
  }
  out.line(`${report.linked > 0 ? '✅' : '➖'} ${report.linked} linked`)
  if (reassign || report.reassigned > 0) out.line(`${report.reassigned > 0 ? '✅' : '➖'} ${report.reassigned} moved from another user (--reassign)`)
  if (report.unchanged > 0) out.line(`✅ ${report.unchanged} already linked to this user (unchanged)`)
  if (report.linkedToOther.length > 0) {
    out.line(
      `⚠️  ${report.linkedToOther.length} linked to another user, left alone (pass --reassign to move them): ` +
        list(report.linkedToOther.map((a) => `${a.jobId} (user ${a.userId})`)),
    )
  }
  if (report.jobsNotFound.length > 0) out.line(`❌ ${plural(report.jobsNotFound.length, 'job')} not found: ${list(report.jobsNotFound)}`)
  if (report.usersNotFound.length > 0) {
    out.line(
      `❌ ${plural(report.usersNotFound.length, 'user')} not found: ${list(report.usersNotFound.map((u) => `${u.user} (${plural(u.jobs, 'job')})`))}; ` +
        'they must sign up first',
    )
  }
}

function list(values: readonly string[]): string {
  const more = values.length - SHOWN
  return values.slice(0, SHOWN).join(', ') + (more > 0 ? `, and ${more} more` : '')
}
