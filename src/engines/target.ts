import type { DatabaseTarget, ServerConnection } from '../database-url/url.js'

/** How to reach a server target; an engine is only handed targets of its own kind. */
export function connectionOf(target: DatabaseTarget): ServerConnection {
  if (!('connection' in target)) throw new Error(`a ${target.kind} target has no server connection`)
  return target.connection
}
