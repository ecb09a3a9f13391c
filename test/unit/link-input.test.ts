import { describe, expect, it } from 'vitest'
import { decodeUtf8Input, firstInvalidUtf8, problemWithValue, shown, validateRecords } from '../../src/artworks/validate-input.js'
import { UsageError } from '../../src/errors.js'

describe("artworks:link's input checks", () => {
  it('refuses Windows-1252 bytes, naming the line and the byte, instead of turning them into U+FFFD', () => {
    const bytes = Buffer.concat([Buffer.from('job_id,email\njob-1,ada@example.com\njob-2,ren'), Buffer.from([0xe9]), Buffer.from('e@example.com\n')])
    expect(() => decodeUtf8Input(bytes, 'the CSV file owners.csv')).toThrow(UsageError)
    expect(() => decodeUtf8Input(bytes, 'the CSV file owners.csv')).toThrow(
      'the CSV file owners.csv, line 3: byte 0xE9 at byte 10 of the line is not UTF-8',
    )
  })

  it('accepts UTF-8 (and drops its byte-order mark)', () => {
    expect(decodeUtf8Input(Buffer.from('\uFEFFjöb-1,rené@example.com 🎨\n'), 'x')).toBe('jöb-1,rené@example.com 🎨\n')
  })

  it('finds the first malformed sequence: lone continuation, truncated, overlong, surrogate, above U+10FFFF', () => {
    expect(firstInvalidUtf8(Buffer.from('abc'))).toBe(3)
    expect(firstInvalidUtf8(Buffer.from([0x61, 0x80]))).toBe(1)
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc3]))).toBe(1)
    expect(firstInvalidUtf8(Buffer.from([0xc0, 0xaf]))).toBe(0)
    expect(firstInvalidUtf8(Buffer.from([0xe0, 0x80, 0xaf]))).toBe(0)
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0)
    expect(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0)
    expect(firstInvalidUtf8(Buffer.from('é€🎨'))).toBe(Buffer.from('é€🎨').length)
  })

  it('refuses NUL characters and values longer than 255 characters, never echoing a long value whole', () => {
    expect(problemWithValue('job\u00001', 'job id')).toBe('the job id "job\\u00001" holds a NUL character (at character 4); remove it')
    const huge = 'j'.repeat(10 * 1024 * 1024)
    const problem = problemWithValue(huge, 'job id')!
    expect(problem).toContain('is 10,485,760 characters long, more than 255')
    expect(problem.length).toBeLessThan(200)
    expect(problemWithValue('j'.repeat(255), 'job id')).toBeUndefined()
    // 255 characters of four bytes each (two UTF-16 units) still fit varchar(255).
    expect(problemWithValue('🎨'.repeat(255), 'email (or user id)')).toBeUndefined()
    expect(shown('a'.repeat(50))).toBe(`"${'a'.repeat(40)}…" (50 characters)`)
  })

  it('checks every record and lists the first problems with their lines', () => {
    const records = [
      { line: 1, fields: ['job_id', 'email'] },
      { line: 2, fields: ['job-1', 'ada@example.com'] },
      { line: 4, fields: ['job\u00002', 'ada@example.com'] },
      { line: 5, fields: ['job-3', `${'a'.repeat(300)}@example.com`] },
    ]
    expect(() => validateRecords(records, 'the CSV file owners.csv')).toThrow(
      /^the CSV file owners\.csv: line 4: the job id "job\\u00002" holds a NUL character .*; line 5: the email \(or user id\) "a{40}…" \(312 characters\) is 312 characters long, more than 255\. Nothing was written$/,
    )
    expect(() => validateRecords(records.slice(0, 2), 'x')).not.toThrow()
  })
})
