/**
 * Node's TLS options for a {@link TlsSettings}: the one place the CA and client certificate
 * files are read and verification is set up, whichever driver carries them.
 */
import { readFileSync } from 'node:fs'
import type { ConnectionOptions } from 'node:tls'
import { UsageError } from '../errors.js'
import type { TlsSettings } from './parameters.js'

/**
 * - `none`: `rejectUnauthorized: false` (encrypted, the certificate unchecked);
 * - `ca`: the chain must lead to the CA, the host name is not compared (libpq's `verify-ca`);
 * - `full`: the chain and the host name (Node's default checks).
 *
 * @throws {UsageError} when a file cannot be read (the message names the file and the reason).
 */
export function nodeTlsOptions(settings: TlsSettings): ConnectionOptions {
  const options: ConnectionOptions = {
    rejectUnauthorized: settings.verify !== 'none',
    ...(settings.caFile ? { ca: readPem(settings.caFile, 'CA') } : {}),
    ...(settings.certFile ? { cert: readPem(settings.certFile, 'client certificate') } : {}),
    ...(settings.keyFile ? { key: readPem(settings.keyFile, 'client key') } : {}),
  }
  if (settings.verify === 'ca') options.checkServerIdentity = () => undefined
  return options
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable'
    throw new UsageError(`cannot read the ${what} file ${file} named in DATABASE_URL (${code}); check the path`)
  }
}
