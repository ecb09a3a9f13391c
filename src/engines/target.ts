import type { DatabaseTarget } from '../db/url.js'

/** The URL of a server target; an engine is only handed targets of its own kind. */
export function urlOf(target: DatabaseTarget): string {
  if (!('url' in target)) throw new Error(`a ${target.kind} target has no URL`)
  return target.url
}
