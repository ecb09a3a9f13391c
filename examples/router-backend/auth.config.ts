/**
 * The example's Better Auth options: everything it passes to `createAuth` but `database` (and
 * the secret and public URL, which come from the environment). The CLI reads the same file
 * (`db:verify`, `migrate:make --auth`, `migrate:latest`): run it from this folder, or pass
 * `--auth-config examples/router-backend/auth.config.ts`. A plugin added here needs its schema:
 * `migrate:make --auth <name>` writes that migration into `migrations/`.
 */
import type { AuthOptions } from '../../src/index.js'

const options = {
  emailAndPassword: { enabled: true },
  // Account deletion: the row goes, and with it (ON DELETE CASCADE) its sessions and artworks.
  user: { deleteUser: { enabled: true } },
} satisfies AuthOptions

export default options
