/**
 * The example router-backend (`examples/router-backend/`) end to end: started in-process on a
 * free port against each database, driven over real HTTP by Better Auth's own client.
 */
import { createAuthClient } from 'better-auth/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../examples/router-backend/server.js'
import { migrations } from '../examples/router-backend/migrations/index.js'
import { migrateToLatest, PendingMigrationsError } from '../src/index.js'
import { createTestDatabase, describeEachDatabase, type TestDatabase } from './support/databases.js'

const SECRET = 'test-secret-that-is-long-enough-for-better-auth'
const PASSWORD = 'correct horse battery staple'

/**
 * A browser in miniature for Node: `fetch` that keeps the cookies the server sets and sends
 * them back, and sends an `Origin` as a browser on the service's own page would (Better Auth
 * refuses cookie-bearing requests from an unknown origin).
 */
function browserFetch(origin: string): typeof fetch {
  const jar = new Map<string, string>()
  return async (input, init) => {
    const request = new Request(input, init)
    if (jar.size > 0) request.headers.set('cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '))
    request.headers.set('origin', origin)
    const response = await fetch(request)
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';')
      const separator = pair.indexOf('=')
      const name = pair.slice(0, separator).trim()
      const value = pair.slice(separator + 1).trim()
      const expired = value === '' || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))
      if (expired) jar.delete(name)
      else jar.set(name, value)
    }
    return response
  }
}

/** One user's browser: Better Auth's client and the service's JSON routes, sharing cookies. */
function browser(baseURL: string) {
  const fetchWithCookies = browserFetch(baseURL)
  const client = createAuthClient({ baseURL, fetchOptions: { customFetchImpl: fetchWithCookies } })
  return {
    client,
    async listArtworks() {
      const response = await fetchWithCookies(`${baseURL}/api/artworks`)
      return { status: response.status, body: (await response.json()) as { artworks?: Artwork[]; error?: string } }
    },
    async createArtwork(body: unknown) {
      const response = await fetchWithCookies(`${baseURL}/api/artworks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      return { status: response.status, body: (await response.json()) as { artwork?: Artwork; error?: string } }
    },
  }
}

interface Artwork {
  id: string
  job_id: string
  original_url: string
  protected_url: string | null
  status: string
  created_at: string
}

describeEachDatabase('example router-backend over HTTP', (kind) => {
  let testDb: TestDatabase
  let server: RunningServer

  beforeAll(async () => {
    testDb = await createTestDatabase(kind)
    server = await startServer({ url: testDb.url, port: 0, secret: SECRET, quiet: true })
  })
  afterAll(async () => {
    await server?.close()
    await testDb?.drop()
  })

  it('migrated the empty database at boot', () => {
    expect(server.migrated.map((step) => step.name)).toEqual(['0001_better_auth', '0002_artorizer_user_link', '0003_indexes', '0004_exact_job_ids', '20261201000000_artwork_shares'])
  })

  it('answers 401 to the artwork routes without a session', async () => {
    const list = await fetch(`${server.url}/api/artworks`)
    expect(list.status).toBe(401)
    const create = await fetch(`${server.url}/api/artworks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ job_id: 'anonymous', original_url: 'https://cdn.example.com/a.png' }),
    })
    expect(create.status).toBe(401)
    expect(await server.database.db.selectFrom('artwork_jobs').select('id').execute()).toEqual([])
  })

  it('signs up, signs in, creates and lists artworks, keeps users apart, signs out, and deletes a user with their artworks', async () => {
    const ada = browser(server.url)
    const adaEmail = `ada.${kind}@example.com`

    const signUp = await ada.client.signUp.email({ email: adaEmail, password: PASSWORD, name: 'Ada' })
    expect(signUp.error).toBeNull()
    const adaId = signUp.data!.user.id
    expect((await ada.client.signOut()).error).toBeNull()
    expect((await ada.listArtworks()).status).toBe(401)

    const signIn = await ada.client.signIn.email({ email: adaEmail, password: PASSWORD })
    expect(signIn.error).toBeNull()
    const session = await ada.client.getSession()
    expect(session.data?.user.email).toBe(adaEmail)

    const first = await ada.createArtwork({ job_id: `job-1-${kind}`, original_url: 'https://cdn.example.com/1.png' })
    expect(first.status).toBe(201)
    expect(first.body.artwork).toMatchObject({ job_id: `job-1-${kind}`, status: 'pending', protected_url: null })
    const second = await ada.createArtwork({ job_id: `job-2-${kind}`, original_url: 'https://cdn.example.com/2.png' })
    expect(second.status).toBe(201)

    const adaList = await ada.listArtworks()
    expect(adaList.status).toBe(200)
    expect(adaList.body.artworks!.map((a) => a.job_id)).toEqual([`job-2-${kind}`, `job-1-${kind}`])
    const owners = await server.database.db.selectFrom('artwork_jobs').select('user_id').distinct().execute()
    expect(owners).toEqual([{ user_id: adaId }])

    expect((await ada.createArtwork({ job_id: `job-1-${kind}`, original_url: 'https://cdn.example.com/1.png' })).status).toBe(409)
    expect((await ada.createArtwork({ job_id: '', original_url: 'https://cdn.example.com/1.png' })).status).toBe(400)
    expect((await ada.createArtwork({ job_id: 'x', original_url: 'not a url' })).status).toBe(400)
    expect((await ada.createArtwork([1, 2])).status).toBe(400)

    const bob = browser(server.url)
    const bobSignUp = await bob.client.signUp.email({ email: `bob.${kind}@example.com`, password: PASSWORD, name: 'Bob' })
    expect(bobSignUp.error).toBeNull()
    expect((await bob.listArtworks()).body.artworks).toEqual([])
    expect((await bob.createArtwork({ job_id: `bob-1-${kind}`, original_url: 'https://cdn.example.com/b.png' })).status).toBe(201)
    expect((await bob.listArtworks()).body.artworks!.map((a) => a.job_id)).toEqual([`bob-1-${kind}`])
    expect((await ada.listArtworks()).body.artworks!.map((a) => a.job_id)).toEqual([`job-2-${kind}`, `job-1-${kind}`])

    expect((await ada.client.signOut()).error).toBeNull()
    expect((await ada.client.getSession()).data).toBeNull()
    expect((await ada.listArtworks()).status).toBe(401)
    expect((await ada.createArtwork({ job_id: 'after-sign-out', original_url: 'https://cdn.example.com/x.png' })).status).toBe(401)

    // Deleting Ada (through Better Auth's own endpoint) removes her artworks by ON DELETE CASCADE.
    expect((await ada.client.signIn.email({ email: adaEmail, password: PASSWORD })).error).toBeNull()
    const deleted = await ada.client.deleteUser({ password: PASSWORD })
    expect(deleted.error).toBeNull()
    const remaining = await server.database.db.selectFrom('artwork_jobs').select(['job_id', 'user_id']).execute()
    expect(remaining).toEqual([{ job_id: `bob-1-${kind}`, user_id: bobSignUp.data!.user.id }])
    expect(await server.database.db.selectFrom('session').select('id').where('userId', '=', adaId).execute()).toEqual([])
    expect((await ada.client.signIn.email({ email: adaEmail, password: PASSWORD })).error?.status).toBe(401)
    expect((await bob.listArtworks()).body.artworks!.map((a) => a.job_id)).toEqual([`bob-1-${kind}`])
  })

  it('answers 404 to unknown routes', async () => {
    expect((await fetch(`${server.url}/api/nothing`)).status).toBe(404)
  })
})

describeEachDatabase('example router-backend with MIGRATIONS=check', (kind) => {
  let testDb: TestDatabase

  beforeAll(async () => {
    testDb = await createTestDatabase(kind)
  })
  afterAll(async () => {
    await testDb?.drop()
  })

  it('refuses to start while migrations are pending, and starts once they are applied', async () => {
    const check = { url: testDb.url, port: 0, secret: SECRET, quiet: true, migrations: 'check' } as const
    const refused = startServer(check)
    await expect(refused).rejects.toBeInstanceOf(PendingMigrationsError)
    await expect(refused).rejects.toThrow(/pending migrations 0001_better_auth, 0002_artorizer_user_link, 0003_indexes, 0004_exact_job_ids, 20261201000000_artwork_shares/)

    const database = await testDb.connect()
    try {
      await migrateToLatest(database.db, { migrations })
    } finally {
      await database.db.destroy()
    }
    const server = await startServer(check)
    try {
      expect(server.migrated).toEqual([])
      expect((await fetch(`${server.url}/api/artworks`)).status).toBe(401)
    } finally {
      await server.close()
    }
  })
})

describe('example router-backend boot errors', () => {
  it('rejects with a one-line connection error and no password when the database is unreachable', async () => {
    const url = 'postgres://someone:hunter2secret@127.0.0.1:1/nowhere'
    const error = await startServer({ url, port: 0, secret: SECRET, quiet: true }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toMatch(/connection refused/)
    expect((error as Error).message).not.toContain('hunter2secret')
  })
})
