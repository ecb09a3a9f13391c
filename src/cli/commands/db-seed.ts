import { describeTarget } from '../../database-url/url.js'
import { refuseStandby } from '../../migrator/standby.js'
import { plural, type Command } from './command.js'

export const dbSeed: Command = {
  summary: 'add a test user (through Better Auth) with a few sample artworks, once',
  options: [{ flags: '--force', description: 'seed even though the database has other users' }],
  async run({ database, options, out }) {
    const where = describeTarget(database.target)
    await refuseStandby(database.db, 'writes') // a hot standby: one line naming it
    out.line(`Seeding ${where}`)
    const { seedDatabase } = await import('../../seed.js') // Better Auth: loaded for this command only
    const report = await seedDatabase(database, { force: options.force === true })
    const { user, artworks, password } = report
    out.line(user.created ? `✅ Created the test user ${user.email} (id ${user.id})` : `✅ The test user ${user.email} is already there (id ${user.id})`)
    out.line(
      artworks.created > 0
        ? `✅ Added ${plural(artworks.created, 'sample artwork')}`
        : '✅ The sample artworks are already there',
    )
    const linked = artworks.link.linked + artworks.link.reassigned
    out.line(
      linked > 0
        ? `✅ Linked ${plural(linked, 'artwork')} to the test user`
        : `✅ ${plural(artworks.link.unchanged, 'artwork')} already linked to the test user`,
    )
    if (artworks.link.linkedToOther.length > 0) {
      out.line(`⚠️  left alone, linked to another user: ${artworks.link.linkedToOther.map((a) => a.jobId).join(', ')}`)
    }
    out.line('')
    out.line('Sign in with:')
    out.line(`   email:    ${user.email}`)
    out.line(`   password: ${password ?? '(changed since it was seeded; not shown)'}`)
    out.result({ ok: true, database: where, user, credentials: { email: user.email, password }, artworks })
  },
}
