/**
 * Node's own socket error codes: the same whichever driver opened the socket, so they are read
 * here once rather than by each engine.
 */
import { errorCode } from './lock-wait.js'

/** What a socket-level failure means; the engines' error rules map their codes onto the same words. */
export type NetworkMeaning = 'connection-refused' | 'unknown-host' | 'connect-timeout' | 'connection-lost'

const NETWORK_CODES: Readonly<Record<string, NetworkMeaning>> = {
  ECONNREFUSED: 'connection-refused',
  ENOTFOUND: 'unknown-host',
  EAI_AGAIN: 'unknown-host',
  EAI_NONAME: 'unknown-host',
  ETIMEDOUT: 'connect-timeout',
  ECONNRESET: 'connection-lost',
  EPIPE: 'connection-lost',
}

/** What a Node socket error means, or undefined for any other error. */
export function networkMeaningOf(error: unknown): NetworkMeaning | undefined {
  const code = errorCode(error)
  return code === undefined ? undefined : NETWORK_CODES[code]
}

/** Whether `error` is a socket that the network or the peer closed under an open connection. */
export function isNetworkLoss(error: unknown): boolean {
  return networkMeaningOf(error) === 'connection-lost'
}
