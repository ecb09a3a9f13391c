/**
 * Findings: what a comparison of the live schema with its target found, as data.
 *
 * Modelled on squawk's rule violations (`{ code, message, help, fix }`): a stable `code` that
 * tests and tools match on, the `table` and `column` it is about, how much it matters, and one
 * line of prose for people. Adoption (the planner) refuses a migration on any `blocking`
 * finding; `db:verify` prints `fail` and `warn` findings as its checklist.
 */

/** `blocking`: the migration cannot run; `fail`: `db:verify` fails; `warn`: worth knowing. */
export type FindingSeverity = 'blocking' | 'fail' | 'warn'

export type FindingCode =
  /** A required column is missing from a table that has rows. */
  | 'required-column-missing'
  /** A required column is missing from an empty table. */
  | 'required-column-missing-empty'
  /** A column holds another family of value (integers where Better Auth writes strings). */
  | 'column-type-family'
  /** A column is NOT NULL where Better Auth leaves it empty. */
  | 'column-not-nullable'
  /** A key column is narrower than the ids written there, and cannot be widened here. */
  | 'key-too-narrow'
  | 'column-kind-change-lossy'
  /** The primary key is not the model's. */
  | 'primary-key'
  /** A column that must become unique holds duplicates. */
  | 'unique-duplicates'
  /** A foreign key to the same column exists with another delete rule. */
  | 'foreign-key-on-delete'
  /** A foreign key's column and the column it references cannot be joined. */
  | 'foreign-key-type'
  /** A column that gets a foreign key holds values the referenced table lacks. */
  | 'foreign-key-orphans'
  /** A table's storage engine ignores foreign keys (MySQL MyISAM). */
  | 'storage-engine'
  /** A column exists with another type than the one it must copy exactly. */
  | 'column-type-differs'
  /** A string column is too long to be bounded for its index. */
  | 'value-too-long-for-index'
  /** A column the model copies its type from does not exist. */
  | 'reference-missing'
  /** A core table to rename to the options' name is not there. */
  | 'rename-source-missing'
  /** A core table cannot take the options' name: another table has it. */
  | 'rename-target-exists'
  /** Ids cannot change type: a table whose ids change holds rows, or a column holds such ids. */
  | 'id-change-rows'
  /** A foreign key the id change does not know references a table whose ids change type. */
  | 'id-change-unknown-reference'
  /** A table the migrations create is missing. */
  | 'table-missing'
  /** A column the migrations create is missing. */
  | 'column-missing'
  /** A column is nullable where the target is NOT NULL. */
  | 'column-nullable'
  /** A foreign key the migrations create is missing. */
  | 'foreign-key-missing'
  /** A foreign key is NOT VALID: rows older than it are unchecked. */
  | 'foreign-key-not-valid'
  /** An index the migrations create is missing. */
  | 'index-missing'
  /** An index is INVALID (an interrupted concurrent build). */
  | 'index-invalid'
  /** An index has the target's name but other columns, or is not unique where it must be. */
  | 'index-differs'
  /** An index cannot exist because a column it covers is missing. */
  | 'index-column-missing'

export interface Finding {
  readonly code: FindingCode
  readonly table: string
  readonly column?: string
  readonly severity: FindingSeverity
  /** What is wrong, in words (without the fix). */
  readonly problem: string
  /** One line: {@link Finding.problem}, then, after a colon, {@link Finding.fix}. */
  readonly message: string
  /** What to do about it. */
  readonly fix: string
}

/** A finding whose message is `problem: fix`. */
export function finding(
  code: FindingCode,
  where: { readonly table: string; readonly column?: string },
  problem: string,
  fix: string,
  severity: FindingSeverity = 'blocking',
): Finding {
  return { code, table: where.table, ...(where.column ? { column: where.column } : {}), severity, problem, message: `${problem}: ${fix}`, fix }
}

/** The findings that stop a migration before it changes anything. */
export function blockingFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((finding) => finding.severity === 'blocking')
}
