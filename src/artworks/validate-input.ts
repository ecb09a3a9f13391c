/**
 * Checking `artworks:link`'s input whole, before anything is written: the file's encoding, then
 * every value of every record. A bad line found in the middle of a run would leave the batches
 * before it committed; found here, nothing has happened yet.
 *
 * - The file must be UTF-8. Decoding it leniently turns a Windows-1252 `é` (byte 0xE9) into
 *   U+FFFD, and the job id or email then silently matches nothing (or the wrong thing). The
 *   error names the line and the byte.
 * - No value may hold a NUL character: PostgreSQL refuses it in text mid-run, MySQL stores it.
 * - Job ids and users (emails or ids) are at most {@link MAX_VALUE_LENGTH} characters: the
 *   width of `job_id`, `user.email` and `user.id` on MySQL (`varchar(255)`).
 *
 * Messages never echo a long value whole: {@link shown} cuts it and says how long it was.
 *
 * Kept apart from the CSV parser (`csv.ts`): it works on parsed records (fields and their line)
 * and on the raw bytes, whichever parser produced the records.
 */
import { isUtf8 } from 'node:buffer'
import { UsageError } from '../errors.js'

/** The longest job id or user accepted, in characters. */
export const MAX_VALUE_LENGTH = 255
/** How many characters of a value a message shows. */
const SHOWN_LENGTH = 40
/** How many problems one error lists before "and N more". */
const LISTED = 5

/** A parsed record: the line it starts on (from 1) and its fields. */
export interface InputRecord {
  readonly line: number
  readonly fields: readonly string[]
}

/**
 * Decodes `bytes` as UTF-8, refusing anything else.
 *
 * @param source what to call the input in the message (`the CSV file owners.csv`)
 * @throws {UsageError} naming the line, column and byte of the first invalid sequence
 */
export function decodeUtf8Input(bytes: Uint8Array, source: string): string {
  if (!isUtf8(bytes)) {
    const at = firstInvalidUtf8(bytes)
    let line = 1
    let lineStart = 0
    for (let i = 0; i < at; i++) {
      if (bytes[i] === 0x0a) {
        line++
        lineStart = i + 1
      }
    }
    const byte = bytes[at]!.toString(16).toUpperCase().padStart(2, '0')
    throw new UsageError(
      `${source}, line ${line}: byte 0x${byte} at byte ${at - lineStart + 1} of the line is not UTF-8 ` +
        '(the file looks like Windows-1252 or Latin-1); save it as UTF-8 and run again. Nothing was written',
    )
  }
  return new TextDecoder('utf-8').decode(bytes) // drops a byte-order mark
}

/**
 * The offset of the first byte that does not start or continue a well-formed UTF-8 sequence
 * (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF). Hand-written because
 * `TextDecoder`'s fatal mode and `isUtf8` say only whether, not where.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i]!
    if (b < 0x80) {
      i++
      continue
    }
    // [length, allowed range of the second byte]
    let length: number
    let lo = 0x80
    let hi = 0xbf
    if (b >= 0xc2 && b <= 0xdf) length = 2
    else if (b === 0xe0) (length = 3), (lo = 0xa0)
    else if (b === 0xed) (length = 3), (hi = 0x9f)
    else if (b >= 0xe1 && b <= 0xef) length = 3
    else if (b === 0xf0) (length = 4), (lo = 0x90)
    else if (b === 0xf4) (length = 4), (hi = 0x8f)
    else if (b >= 0xf1 && b <= 0xf3) length = 4
    else return i
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k]
      if (c === undefined) return i
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return i
    }
    i += length
  }
  return bytes.length
}

/** What is wrong with a job id or user value, or undefined when it is acceptable. */
export function problemWithValue(value: string, what: 'job id' | 'email (or user id)'): string | undefined {
  const nul = value.indexOf('\0')
  if (nul >= 0) return `the ${what} ${shown(value)} holds a NUL character (at character ${nul + 1}); remove it`
  const length = characterCount(value)
  if (length > MAX_VALUE_LENGTH) return `the ${what} ${shown(value)} is ${length.toLocaleString('en')} characters long, more than ${MAX_VALUE_LENGTH}`
  return undefined
}

/**
 * Checks the job id and user of every record (the first two fields; the parser checks the
 * field count) and throws one error listing the first problems with their lines.
 *
 * @throws {UsageError} when any value is unacceptable; nothing has been written then.
 */
export function validateRecords(records: readonly InputRecord[], source: string): void {
  const problems: string[] = []
  let count = 0
  for (const { line, fields } of records) {
    for (const [index, what] of [[0, 'job id'], [1, 'email (or user id)']] as const) {
      const value = fields[index]
      const problem = value === undefined ? undefined : problemWithValue(value.trim(), what)
      if (problem === undefined) continue
      count++
      if (problems.length < LISTED) problems.push(`line ${line}: ${problem}`)
    }
  }
  if (count > 0) {
    const more = count > LISTED ? `; and ${count - LISTED} more` : ''
    throw new UsageError(`${source}: ${problems.join('; ')}${more}. Nothing was written`)
  }
}

/** A value as a message shows it: quoted, cut after {@link SHOWN_LENGTH} characters, NULs visible. */
export function shown(value: string): string {
  const visible = (text: string) => JSON.stringify(text)
  if (value.length <= SHOWN_LENGTH) return visible(value)
  return `${visible(value.slice(0, SHOWN_LENGTH)).slice(0, -1)}…" (${characterCount(value).toLocaleString('en')} characters)`
}

/** Characters as MySQL's `varchar(n)` counts them: code points, not UTF-16 units. */
function characterCount(value: string): number {
  if (value.length <= MAX_VALUE_LENGTH) return value.length
  let n = 0
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i)
    if (unit < 0xd800 || unit > 0xdbff) n++
  }
  return n
}
