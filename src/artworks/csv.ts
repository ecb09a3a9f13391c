/**
 * Reading `job_id,email` pairs for `artworks:link --csv`.
 *
 * Parsed by csv-parse (RFC 4180: fields may be quoted, a quoted field may hold commas, doubled
 * quotes `""` and line breaks), set up for what exports differ in: lines may end in CRLF, LF or
 * CR (mixed in one file), a UTF-8 byte-order mark is dropped, spaces around a field are trimmed,
 * blank lines are skipped, and a record's line is the one it starts on.
 */
import { CsvError, parse } from 'csv-parse/sync'
import { UsageError } from '../errors.js'
import type { ArtworkAssignment } from './link.js'

export interface CsvRecord {
  /** The line on which the record starts, from 1. */
  readonly line: number
  readonly fields: readonly string[]
}

/** What csv-parse hands back per record with `info: true`. */
interface ParsedRecord {
  readonly record: string[]
  readonly info: { readonly lines: number }
}

/**
 * Splits CSV text into records of fields.
 *
 * @throws {UsageError} when a quoted field is never closed, or text follows a closing quote.
 */
export function parseCsv(text: string): CsvRecord[] {
  let parsed: ParsedRecord[]
  try {
    parsed = parse(text, {
      bom: true,
      trim: true,
      info: true,
      relax_column_count: true, // a record with a wrong number of fields is reported by the caller, with its line
      relax_quotes: true, // a quote inside an unquoted field is kept as it is
      skip_empty_lines: true,
      record_delimiter: ['\r\n', '\n', '\r'],
    }) as unknown as ParsedRecord[]
  } catch (error) {
    throw explainCsvError(error)
  }
  return parsed
    .filter(({ record }) => record.some((field) => field !== ''))
    .map(({ record, info }) => ({
      // csv-parse counts lines to the record's end: step back over the line breaks inside its quoted fields.
      line: info.lines - record.reduce((breaks, field) => breaks + (field.match(/\r\n|\n|\r/g)?.length ?? 0), 0),
      fields: record,
    }))
}

function explainCsvError(error: unknown): Error {
  if (!(error instanceof CsvError)) return error instanceof Error ? error : new Error(String(error))
  const line = (error as CsvError & { lines?: number }).lines ?? 1
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new UsageError(`CSV line ${line}: a quoted field is never closed; close it with "`)
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return new UsageError(`CSV line ${line}: unexpected text after a closing quote; write a quote inside a quoted field as ""`)
    default:
      return new UsageError(`CSV line ${line}: ${error.message.replace(/ at line \d+.*$/, '')}`)
  }
}

/** Header names accepted for the two columns (the header row itself is optional). */
const JOB_HEADERS = new Set(['job_id', 'jobid', 'job id', 'job'])

/**
 * Reads `job_id,email` pairs (the second column may also hold a user id). A first row whose
 * first field is `job_id` is a header and skipped. Blank lines are skipped.
 *
 * @throws {UsageError} naming the line of a record that does not have exactly two non-empty fields.
 */
export function parseAssignmentsCsv(text: string): ArtworkAssignment[] {
  const records = parseCsv(text)
  if (records[0] && JOB_HEADERS.has(records[0].fields[0]?.toLowerCase() ?? '')) records.shift()
  return records.map(({ line, fields }) => {
    if (fields.length !== 2) {
      throw new UsageError(`CSV line ${line}: expected 2 fields (job_id,email), found ${fields.length}; quote a field that contains a comma`)
    }
    const [jobId, user] = fields as [string, string]
    if (!jobId) throw new UsageError(`CSV line ${line}: the job id is empty`)
    if (!user) throw new UsageError(`CSV line ${line}: the email (or user id) is empty`)
    return { jobId, user }
  })
}
