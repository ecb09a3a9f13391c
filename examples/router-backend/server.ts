/**
 * An example router-backend: the shape Artorizer's HTTP service has once it gains accounts.
 *
 * At boot it brings the database up to date through the module's `migrateToLatest` (or, in
 * `check` mode, only checks and refuses to start while migrations are pending), then listens.
 * Better Auth answers under `/api/auth/*` through its documented Node integration
 * (`toNodeHandler` from `better-auth/node`); the service's own routes read the session through
 * `auth.api.getSession` and use the module's typed Kysely instance.
 *
 * Plain `node:http`, so the example adds no framework: router-backend's own router takes the
 * place of `route()` below. Inside router-backend the import reads `from 'artorizer-auth-db'`.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { fromNodeHeaders, toNodeHandler } from 'better-auth/node'
import { connectDatabase, createAuth, explainDatabaseError, migrateToLatest, type AuthDatabase, type MigrationStep } from '../../src/index.js'
import authOptions from './auth.config.js'
import { migrations } from './migrations/index.js'

/** How the service treats migrations at boot. */
export type MigrationMode = 'apply' | 'check'

export interface ServerOptions {
  /** A `DATABASE_URL`; when omitted, the environment's (or `.env`'s), else the embedded default. */
  readonly url?: string
  /** The port to listen on; 0 picks a free one (tests). */
  readonly port?: number
  readonly host?: string
  /** `apply` (default) migrates at boot; `check` rejects with `PendingMigrationsError` instead. */
  readonly migrations?: MigrationMode
  /** Better Auth's secret: at least 32 random characters. */
  readonly secret: string
  /** The public URL of the service; by default the address it listens on. */
  readonly baseURL?: string
  /** Silences Better Auth's logger (tests). */
  readonly quiet?: boolean
}

export interface RunningServer {
  /** Where it listens, e.g. `http://127.0.0.1:41234`. */
  readonly url: string
  readonly database: AuthDatabase
  readonly auth: ExampleAuth
  /** What the boot migrated (empty when the database was up to date, or in `check` mode). */
  readonly migrated: readonly MigrationStep[]
  /** Stops listening, ends open connections and closes the database pool. */
  close(): Promise<void>
}

export type ExampleAuth = ReturnType<typeof buildAuth>

/** Body size limit for the JSON routes: an artwork is two short strings. */
const MAX_BODY_BYTES = 64 * 1024
/** `GET /api/artworks` returns at most this many (newest first). */
const PAGE_SIZE = 100

/**
 * Migrates (or checks), then listens. Rejects, with the database error explained in one line,
 * when the database cannot be reached, a migration fails, or in `check` mode something is
 * pending; the pool is closed before it rejects.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const database = await connectDatabase({ url: options.url })
  let migrated: MigrationStep[]
  try {
    // The service's own migrations run after the module's; the options are checked against them
    // all, so a plugin added to auth.config.ts without its migration stops the boot with the fix.
    migrated = await migrateToLatest(database.db, { checkOnly: options.migrations === 'check', migrations, authOptions })
  } catch (error) {
    await database.db.destroy()
    throw explainDatabaseError(error, database.target)
  }

  const server = http.createServer()
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port ?? 3000, options.host ?? '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (error) {
    await database.db.destroy()
    throw error // EADDRINUSE and the like: Node's message names the address
  }
  const { address, port } = server.address() as AddressInfo
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`

  // Better Auth needs its public URL (cookies, origin checks); with port 0 it is known only now.
  // Nothing awaits between `listen` and `on('request')`, so no request can arrive unhandled.
  const auth = buildAuth(database, { ...options, baseURL: options.baseURL ?? url })
  server.on('request', createApp(database, auth))

  return {
    url,
    database,
    auth,
    migrated,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      await database.db.destroy()
    },
  }
}

function buildAuth(database: AuthDatabase, options: ServerOptions & { baseURL: string }) {
  return createAuth(database, {
    ...authOptions,
    secret: options.secret,
    baseURL: options.baseURL,
    ...(options.quiet ? { logger: { disabled: true } } : {}),
  })
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>

/** The request handler: Better Auth's routes, the artwork routes, 404 for the rest. */
function createApp(database: AuthDatabase, auth: ExampleAuth): http.RequestListener {
  const authHandler = toNodeHandler(auth)
  const artworks = artworkRoutes(database, auth)
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    const handle: Handler | undefined =
      path.startsWith('/api/auth/') ? authHandler
      : path === '/api/artworks' && req.method === 'GET' ? artworks.list
      : path === '/api/artworks' && req.method === 'POST' ? artworks.create
      : undefined
    if (!handle) return sendJson(res, 404, { error: `no route for ${req.method} ${path}` })
    handle(req, res).catch((error: unknown) => {
      // One line in the log, never the stack or the database URL in the response.
      console.error(`${req.method} ${path} failed: ${explainDatabaseError(error, database.target).message}`)
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' })
      else res.end()
    })
  }
}

/** The service's own routes over `artwork_jobs`, scoped to the signed-in user. */
function artworkRoutes(database: AuthDatabase, auth: ExampleAuth) {
  const { db } = database

  async function currentUserId(req: http.IncomingMessage): Promise<string | undefined> {
    const session = await auth.api.getSession({ headers: fromNodeHeaders(req.headers) })
    return session?.user.id
  }

  /** `GET /api/artworks`: the user's artworks, newest first (the `(user_id, created_at)` index). */
  const list: Handler = async (req, res) => {
    const userId = await currentUserId(req)
    if (!userId) return sendJson(res, 401, { error: 'sign in first' })
    const rows = await db
      .selectFrom('artwork_jobs')
      .select(['id', 'job_id', 'original_url', 'protected_url', 'status', 'created_at'])
      .where('user_id', '=', userId)
      // `id` breaks ties between artworks made in the same millisecond. InnoDB secondary indexes
      // end with the primary key, so MySQL still reads in index order; PostgreSQL adds an
      // incremental sort over the index scan.
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(PAGE_SIZE)
      .execute()
    sendJson(res, 200, { artworks: rows.map(toArtwork) })
  }

  /** `POST /api/artworks` with `{ "job_id": "...", "original_url": "..." }`: 201 and the artwork. */
  const create: Handler = async (req, res) => {
    const userId = await currentUserId(req)
    if (!userId) return sendJson(res, 401, { error: 'sign in first' })
    const body = await readJson(req)
    if (body === undefined) return sendJson(res, 400, { error: `send a JSON object of at most ${MAX_BODY_BYTES} bytes` })
    const { job_id: jobId, original_url: originalUrl } = body as Record<string, unknown>
    if (typeof jobId !== 'string' || jobId.length === 0 || jobId.length > 255) {
      return sendJson(res, 400, { error: 'job_id must be a string of 1 to 255 characters' })
    }
    if (typeof originalUrl !== 'string' || !URL.canParse(originalUrl)) {
      return sendJson(res, 400, { error: 'original_url must be an absolute URL' })
    }
    try {
      await db.insertInto('artwork_jobs').values({ job_id: jobId, original_url: originalUrl, user_id: userId }).execute()
    } catch (error) {
      if (isUniqueViolation(error)) return sendJson(res, 409, { error: `an artwork with job_id "${jobId}" exists already` })
      throw error
    }
    // MySQL has no RETURNING: read the row back by its unique job_id.
    const row = await db
      .selectFrom('artwork_jobs')
      .select(['id', 'job_id', 'original_url', 'protected_url', 'status', 'created_at'])
      .where('job_id', '=', jobId)
      .executeTakeFirstOrThrow()
    sendJson(res, 201, { artwork: toArtwork(row) })
  }

  return { list, create }
}

interface ArtworkRow {
  id: string | number | bigint
  job_id: string
  original_url: string
  protected_url: string | null
  status: string
  created_at: Date
}

/** The JSON shape of an artwork. Ids are strings: a bigint does not fit in a JSON number. */
function toArtwork(row: ArtworkRow) {
  return {
    id: String(row.id),
    job_id: row.job_id,
    original_url: row.original_url,
    protected_url: row.protected_url,
    status: row.status,
    created_at: new Date(row.created_at).toISOString(),
  }
}

/** The duplicate-key error of each driver: PostgreSQL's SQLSTATE and mysql2's code. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === '23505' || code === 'ER_DUP_ENTRY'
}

/** The request body as a JSON object, or undefined when it is too large or not an object. */
async function readJson(req: http.IncomingMessage): Promise<object | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY_BYTES) return undefined
    chunks.push(chunk)
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined
  } catch {
    return undefined
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}
