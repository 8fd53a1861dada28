/**
 * @module test/helpers/test-certificate
 * A self-signed P-256 certificate for 127.0.0.1, made by openssl in `dir` (cert.pem, key.pem),
 * for the tests that start the service over TLS on loopback.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Writes the pair and returns their paths. */
export function makeLoopbackCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-days',
      '1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}
