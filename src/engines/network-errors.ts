/**
 * Node's own socket error codes: the same whichever driver opened the socket, so they are read
 * here once rather than by each engine.
 */
import { errorCode } from './lock-wait.js'

/** What a socket-level failure means; the engines' error rules map their codes onto the same words. */
export type NetworkMeaning = 'connection-refused' | 'unknown-host' | 'connect-timeout' | 'connection-lost' | 'tls-certificate-rejected'

const NETWORK_CODES: Readonly<Record<string, NetworkMeaning>> = {
  ECONNREFUSED: 'connection-refused',
  ENOTFOUND: 'unknown-host',
  EAI_AGAIN: 'unknown-host',
  EAI_NONAME: 'unknown-host',
  ETIMEDOUT: 'connect-timeout',
  ECONNRESET: 'connection-lost',
  EPIPE: 'connection-lost',
  // Node's TLS verification failures (OpenSSL's names, and Node's own for a host name mismatch):
  // the server's certificate was not signed by a trusted CA, or does not name the host.
  DEPTH_ZERO_SELF_SIGNED_CERT: 'tls-certificate-rejected',
  SELF_SIGNED_CERT_IN_CHAIN: 'tls-certificate-rejected',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tls-certificate-rejected',
  UNABLE_TO_GET_ISSUER_CERT: 'tls-certificate-rejected',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'tls-certificate-rejected',
  CERT_HAS_EXPIRED: 'tls-certificate-rejected',
  CERT_NOT_YET_VALID: 'tls-certificate-rejected',
  CERT_SIGNATURE_FAILURE: 'tls-certificate-rejected',
  CERT_UNTRUSTED: 'tls-certificate-rejected',
  CERT_REJECTED: 'tls-certificate-rejected',
  ERR_TLS_CERT_ALTNAME_INVALID: 'tls-certificate-rejected',
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
