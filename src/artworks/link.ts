/**
 * Linking existing artworks to their owners: sets `artwork_jobs.user_id` for the job ids given,
 * in batches, one transaction per batch. The seed's goal is exactly this: accounts that see the
 * artworks their owners uploaded before accounts existed.
 *
 * - Idempotent: an artwork already linked to the user is counted `unchanged` and not written.
 * - Never silently moves an artwork: one linked to someone else is left alone (and reported)
 *   unless `reassign` is set.
 * - A concurrent run or application write cannot slip between what is reported and what is
 *   written: each row is written only if it still has the owner it was classified by, and a
 *   batch where one does not is rolled back and redone with its rows read `FOR UPDATE`.
 * - Each batch is written in one set-based statement, whatever the number of users in it (the
 *   engine's `ArtworkOwnerWriter`, `owner-writer.ts`), and every assignment is validated before the first batch.
 * - Job ids match exactly (byte for byte), also where the column's collation would match
 *   `JOB-1` to `job-1` (MySQL's `_ci` collations): the database narrows, the code decides.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../model/database.js'
import { LinkInterruptedError, UsageError } from '../errors.js'
import { problemWithValue } from './validate-input.js'
import { migrateToLatest } from '../migrator/run.js'
import { engineOf } from '../engines/index.js'
import { artworkOwnerWriter, type ArtworkOwnerChange, type ArtworkOwnerWriter } from './owner-writer.js'
import { currentAuthShape } from '../ddl/auth-shape-record.js'
import { findColumn } from '../ddl/introspect.js'
import { moduleDb } from '../db/naming-plugins.js'
import { columnOf, type AuthShape, type IdStrategy } from '../model/auth-shape.js'

/** One artwork to link: its job id, and the user by email or by id. */
export interface ArtworkAssignment {
  readonly jobId: string
  /** An email (anything with an `@`, matched case-insensitively) or a user id (matched exactly). */
  readonly user: string
}

export interface LinkOptions {
  /** Move artworks already linked to another user (default: leave them alone and report them). */
  readonly reassign?: boolean
  /** Job ids per transaction (default {@link DEFAULT_LINK_BATCH_SIZE}). */
  readonly batchSize?: number
  /** Called after each committed batch. */
  readonly onBatch?: (progress: { readonly done: number; readonly total: number }) => void
}

export interface LinkReport {
  /** Distinct job ids asked for. */
  readonly requested: number
  /** Artworks that had no owner and now have the user. */
  readonly linked: number
  /** Artworks moved from another user (only with `reassign`). */
  readonly reassigned: number
  /** Artworks that already belonged to the user: nothing written. */
  readonly unchanged: number
  /** Artworks that belong to another user and were left alone. */
  readonly linkedToOther: readonly { readonly jobId: string; readonly userId: string }[]
  /** Job ids with no artwork. */
  readonly jobsNotFound: readonly string[]
  /** Users (as given) that do not exist, with how many of the jobs asked for them. */
  readonly usersNotFound: readonly { readonly user: string; readonly jobs: number }[]
  readonly batches: number
}

/**
 * Chosen from `npm run bench`'s link part (100,000 artworks, 1,000 users, batches of 250 to
 * 10,000, each beside a staging-table join): 2,000 was at or near the best share of the staging
 * join's speed on both servers in every run (0.50-0.71 on PostgreSQL, 0.58-0.90 on MariaDB, on
 * a loaded machine), where 1,000 fell to 0.38 and 0.49 in some; larger batches gained little
 * more and hold more rows locked per transaction (and redo more when a row changed under them).
 */
export const DEFAULT_LINK_BATCH_SIZE = 2000
/** Keeps one batch's `IN (...)` lists far below PostgreSQL's 65,535 bind parameters. */
export const MAX_LINK_BATCH_SIZE = 10_000

/**
 * Links artworks to users; see the module comment for the guarantees.
 *
 * @throws {PendingMigrationsError} when the migrations that add `user_id` have not run.
 * @throws {UsageError} for an empty job id or user, one with a NUL character or longer than 255
 *   characters, a job id given for two different users, or a batch size out of range; every
 *   assignment is checked before the first batch, so nothing is written then.
 * @throws {LinkInterruptedError} when a batch fails after earlier ones committed: it says how
 *   many, and that running the same assignments again finishes the job. A failure in the first
 *   batch is thrown as it is (nothing was committed).
 *
 * @example
 * const report = await linkArtworks(database.db, [{ jobId: 'job-1', user: 'ada@example.com' }])
 * // { linked: 1, unchanged: 0, linkedToOther: [], jobsNotFound: [], usersNotFound: [], ... }
 */
export async function linkArtworks(given: Kysely<any>, assignments: Iterable<ArtworkAssignment>, options: LinkOptions = {}): Promise<LinkReport> {
  const db = moduleDb(given)
  const batchSize = options.batchSize ?? DEFAULT_LINK_BATCH_SIZE
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_LINK_BATCH_SIZE) {
    throw new UsageError(`the batch size must be a whole number from 1 to ${MAX_LINK_BATCH_SIZE}, not ${batchSize}`)
  }
  const work = dedupe(assignments)
  await migrateToLatest(db, { checkOnly: true })

  const typed = db as Kysely<Database>
  const shape = await currentAuthShape(db)
  const userIdType = (await findColumn(db, 'artwork_jobs', 'user_id'))?.type ?? 'text'
  const owners = artworkOwnerWriter(engineOf(db).sqlDialect, userIdType)
  const users = new Map<string, string | null>() // as given → user id, or null when not found
  const counts = { linked: 0, reassigned: 0, unchanged: 0, batches: 0 }
  const linkedToOther: { jobId: string; userId: string }[] = []
  const jobsNotFound: string[] = []
  const usersNotFound = new Map<string, number>()

  for (let start = 0; start < work.length; start += batchSize) {
    const batch = work.slice(start, start + batchSize)
    let outcome: BatchOutcome
    try {
      outcome = await linkBatch(typed, shape, owners, batch, users, options.reassign === true, false).catch((error: unknown) => {
        // A row changed between the read and the write (rolled back): redo the batch locked.
        if (error instanceof ChangedSinceRead) return linkBatch(typed, shape, owners, batch, users, options.reassign === true, true)
        throw error
      })
    } catch (error) {
      if (counts.batches === 0) throw error
      throw new LinkInterruptedError(
        { batch: counts.batches + 1, batches: Math.ceil(work.length / batchSize), committedJobs: start, total: work.length, linked: counts.linked, reassigned: counts.reassigned },
        error,
      )
    }
    // Committed: only now does the batch count in the report.
    counts.linked += outcome.linked
    counts.reassigned += outcome.reassigned
    counts.unchanged += outcome.unchanged
    linkedToOther.push(...outcome.linkedToOther)
    jobsNotFound.push(...outcome.jobsNotFound)
    for (const user of outcome.usersNotFound) usersNotFound.set(user, (usersNotFound.get(user) ?? 0) + 1)
    counts.batches++
    options.onBatch?.({ done: Math.min(start + batchSize, work.length), total: work.length })
  }

  return {
    requested: work.length,
    ...counts,
    linkedToOther,
    jobsNotFound,
    usersNotFound: [...usersNotFound].map(([user, jobs]) => ({ user, jobs })),
  }
}

/** What one committed batch did. */
interface BatchOutcome {
  linked: number
  reassigned: number
  unchanged: number
  readonly linkedToOther: { jobId: string; userId: string }[]
  readonly jobsNotFound: string[]
  /** One entry per job whose user was not found. */
  readonly usersNotFound: string[]
}

/** Thrown inside a batch's transaction (rolling it back) when a row changed after it was read. */
class ChangedSinceRead extends Error {}

/**
 * One batch, one transaction: read the batch's rows, classify each job, then write every change
 * in one set-based statement ({@link ArtworkOwnerWriter.setOwners}).
 *
 * The read takes no row locks (`lock` false): the write is conditional on each row still having
 * the owner read, and when any row no longer has it, the batch is rolled back and the caller
 * runs it again with `lock` true, reading `FOR UPDATE`. Either way, what the report says is
 * what was written. Locking every row up front would cost PostgreSQL a second write of each
 * row (a tuple lock is written to the heap), for a race that is rare.
 */
async function linkBatch(
  db: Kysely<Database>,
  shape: AuthShape,
  owners: ArtworkOwnerWriter,
  batch: readonly ArtworkAssignment[],
  users: Map<string, string | null>,
  reassign: boolean,
  lock: boolean,
): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { linked: 0, reassigned: 0, unchanged: 0, linkedToOther: [], jobsNotFound: [], usersNotFound: [] }
  // READ COMMITTED (PostgreSQL's default anyway): under MySQL's REPEATABLE READ, FOR UPDATE (and
  // UPDATE) over a legacy artwork_jobs without a job_id index would lock every row it scans, and
  // so block the application's writes for the whole batch; READ COMMITTED locks only the matches.
  await db.transaction().setIsolationLevel('read committed').execute(async (trx) => {
    await resolveUsers(trx, shape, batch.map((a) => a.user).filter((user) => !users.has(user)), users)
    const wanted = batch.filter((a) => users.get(a.user) != null)
    // Owners compared as text: an integer user id reads back as a number on MySQL.
    const rows = (await owners.readOwners(trx, wanted.map((a) => a.jobId), lock)).map((row) => ({ ...row, user_id: row.user_id === null ? null : String(row.user_id) }))
    const rowsByJob = new Map<string, typeof rows>()
    for (const row of rows) rowsByJob.set(row.job_id, [...(rowsByJob.get(row.job_id) ?? []), row])

    const changes: ArtworkOwnerChange[] = []
    for (const { jobId, user } of batch) {
      const userId = users.get(user)
      if (userId == null) {
        outcome.usersNotFound.push(user)
        continue
      }
      const jobRows = rowsByJob.get(jobId) // exact match: see the module comment
      if (!jobRows) {
        outcome.jobsNotFound.push(jobId)
        continue
      }
      const others = jobRows.filter((row) => row.user_id !== null && row.user_id !== userId)
      if (jobRows.every((row) => row.user_id === userId)) outcome.unchanged++
      else if (others.length > 0 && !reassign) outcome.linkedToOther.push({ jobId, userId: others[0]!.user_id! })
      else {
        if (others.length > 0) outcome.reassigned++
        else outcome.linked++
        for (const row of jobRows) if (row.user_id !== userId) changes.push({ row: row.row, jobId, from: row.user_id, userId })
      }
    }
    // One set-based statement for the whole batch (not one per user).
    const written = await owners.setOwners(trx, changes)
    if (written !== changes.length && !lock) throw new ChangedSinceRead()
  })
  return outcome
}

/** Drops exact repeats; a job id given for two different users is an error, not a coin toss. */
function dedupe(assignments: Iterable<ArtworkAssignment>): ArtworkAssignment[] {
  const byJob = new Map<string, ArtworkAssignment>()
  const conflicts: string[] = []
  for (const assignment of assignments) {
    const jobId = assignment.jobId.trim()
    const given = assignment.user.trim()
    const user = isEmail(given) ? given.toLowerCase() : given
    if (!jobId) throw new UsageError('a job id is empty; give each artwork by its job_id')
    const problem = problemWithValue(jobId, 'job id') ?? problemWithValue(user, 'email (or user id)')
    if (problem) throw new UsageError(`${problem}; nothing was written`)
    if (!user) throw new UsageError(`job ${jobId} has no user; give an email or a user id`)
    const previous = byJob.get(jobId)
    if (previous && previous.user !== user) conflicts.push(`${jobId} (${previous.user} and ${user})`)
    else byJob.set(jobId, { jobId, user })
  }
  if (conflicts.length > 0) {
    const shown = conflicts.slice(0, 5).join(', ') + (conflicts.length > 5 ? `, and ${conflicts.length - 5} more` : '')
    throw new UsageError(`job ids given for two different users: ${shown}; keep one line per job id`)
  }
  return [...byJob.values()]
}

/**
 * Looks users up: by email when the reference has an `@` (Better Auth stores emails in lower
 * case), otherwise by id. Records each reference's user id, or null when there is none.
 */
async function resolveUsers(db: Kysely<Database>, shape: AuthShape, references: readonly string[], into: Map<string, string | null>): Promise<void> {
  const distinct = [...new Set(references)]
  if (distinct.length === 0) return
  const emails = distinct.filter(isEmail).map((e) => e.toLowerCase())
  // Only what can be an id of this kind is looked up: `42` where ids are integers.
  const ids = distinct.filter((r) => !isEmail(r) && couldBeId(shape.ids, r))
  const [email, id] = [columnOf(shape, 'user', 'email'), columnOf(shape, 'user', 'id')]
  const found = (await (db as Kysely<any>)
    .selectFrom(shape.tables.user)
    .select([`${id} as id`, `${email} as email`])
    .where((eb) => eb.or([...(emails.length ? [eb(email, 'in', emails)] : []), ...(ids.length ? [eb(id, 'in', ids)] : [])]))
    .execute()) as { id: unknown; email: string }[]
  // Ids are compared as text: integer and uuid ids come back as numbers and strings.
  const rows = found.map((row) => ({ id: String(row.id), email: row.email }))
  const byEmail = new Map(rows.map((row) => [row.email.toLowerCase(), row.id]))
  const byId = new Set(rows.map((row) => row.id))
  for (const reference of distinct) {
    into.set(reference, isEmail(reference) ? (byEmail.get(reference.toLowerCase()) ?? null) : byId.has(reference) ? reference : null)
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function couldBeId(ids: IdStrategy, reference: string): boolean {
  if (ids === 'serial') return /^\d{1,15}$/.test(reference)
  if (ids === 'uuid') return UUID.test(reference)
  return true
}

function isEmail(reference: string): boolean {
  return reference.includes('@')
}
