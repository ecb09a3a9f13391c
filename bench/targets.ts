/** The benchmark's targets, from the issues that set them (kept apart so that report.ts need not import run.ts). */
import type { ServerKind } from './servers.js'

/** Issue 4: the writer's worst stall during our migration, at 1,000,000 rows. */
export const WORST_STALL_TARGET_MS: Record<ServerKind, number> = { postgres: 50, mysql: 250 }
/** Issue 13: the writer's worst insert during the online migration, at every table size. */
export const SCALING_STALL_TARGET_MS = 25
/** Issue 13: linkArtworks at its default batch size, at least this fraction of the staging join's speed. */
export const LINK_SPEED_TARGET = 0.5
/** Issue 19: the writer's worst insert while the core tables are renamed and another transaction holds `user`, at 1,000,000 rows. */
export const RENAME_STALL_TARGET_MS = 150
/** Issue 19: the writer's worst insert while the ids become uuids (empty core tables, `artwork_jobs` with rows and no owners), at 1,000,000 rows. */
export const ID_CHANGE_STALL_TARGET_MS = 150
