/**
 * Reading `job_id,email` pairs for `artworks:link --csv`.
 *
 * The parser is written by hand: no CSV library is among the module's dependencies, and adding
 * one (`csv-parse` would be the choice) for two columns is more weight than this file. It
 * follows RFC 4180 where exports differ: fields may be quoted, a quoted field may hold commas,
 * doubled quotes (`""`) and line breaks; lines end in LF or CRLF; a UTF-8 byte-order mark is
 * dropped; spaces around an unquoted field are trimmed.
 */
import { UsageError } from '../errors.js'
import type { ArtworkAssignment } from './link.js'

export interface CsvRecord {
  /** The line on which the record starts, from 1. */
  readonly line: number
  readonly fields: readonly string[]
}

/**
 * Splits CSV text into records of fields.
 *
 * @throws {UsageError} when a quoted field is never closed, or text follows a closing quote.
 */
export function parseCsv(text: string): CsvRecord[] {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  const records: CsvRecord[] = []
  let fields: string[] = []
  let line = 1
  let recordLine = 1
  let i = 0

  const endRecord = () => {
    records.push({ line: recordLine, fields })
    fields = []
  }

  while (i <= input.length) {
    // At the start of a field: skip leading blanks to see whether it is quoted.
    let j = i
    while (input[j] === ' ' || input[j] === '\t') j++
    let value: string
    if (input[j] === '"') {
      const quoteLine = line
      let k = j + 1
      let out = ''
      for (;;) {
        if (k >= input.length) throw new UsageError(`CSV line ${quoteLine}: a quoted field is never closed; close it with "`)
        const ch = input[k]!
        if (ch === '"') {
          if (input[k + 1] === '"') {
            out += '"'
            k += 2
            continue
          }
          k++
          break
        }
        if (ch === '\n') line++
        out += ch
        k++
      }
      while (input[k] === ' ' || input[k] === '\t') k++
      if (k < input.length && input[k] !== ',' && input[k] !== '\n' && input[k] !== '\r') {
        throw new UsageError(`CSV line ${line}: unexpected text after a closing quote; write a quote inside a quoted field as ""`)
      }
      value = out
      i = k
    } else {
      let k = i
      while (k < input.length && input[k] !== ',' && input[k] !== '\n' && input[k] !== '\r') k++
      value = input.slice(i, k).trim()
      i = k
    }
    fields.push(value)

    if (i >= input.length) {
      endRecord()
      break
    }
    const sep = input[i]
    if (sep === ',') {
      i++
      continue
    }
    // A line break: CRLF, LF, or a lone CR.
    i += sep === '\r' && input[i + 1] === '\n' ? 2 : 1
    endRecord()
    line++
    recordLine = line
    if (i === input.length) break
  }
  return records.filter((record) => record.fields.some((field) => field !== ''))
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
