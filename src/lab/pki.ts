// Test PKI for one throwaway cluster: a CA, the API server's serving cert, an admin client cert in
// system:masters, and the service-account token signing key. Certificates come from the openssl CLI;
// the signing key from node:crypto. Everything lives in the cluster's temp dir.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Pki {
  caCertPath: string;
  caKeyPath: string;
  caPem: string;
  servingCertPath: string;
  servingKeyPath: string;
  adminCertPath: string;
  adminKeyPath: string;
  adminCertPem: string;
  adminKeyPem: string;
  /** Service-account token signing key (private) and its public key. */
  saKeyPath: string;
  saPubPath: string;
}

export interface PkiOptions {
  /** Extra subjectAltNames of the serving cert, e.g. ['IP:10.96.0.1']. 127.0.0.1 and localhost are always in. */
  servingSans?: string[];
  /** Common name of the admin client cert; its organization is system:masters. */
  adminUser?: string;
}

async function openssl(args: string[], what: string): Promise<void> {
  try {
    await run('openssl', args, { timeout: 30_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    const why = e.code === 'ENOENT' ? 'openssl not found in PATH (apt-get install openssl)' : (e.stderr ?? e.message);
    throw new Error(`pki: openssl failed creating ${what}: ${why}`);
  }
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
const DAYS = ['-days', '7'];

export async function createPki(dir: string, opts: PkiOptions = {}): Promise<Pki> {
  const p = (name: string) => join(dir, name);
  const pki = {
    caCertPath: p('ca.crt'),
    caKeyPath: p('ca.key'),
    servingCertPath: p('apiserver.crt'),
    servingKeyPath: p('apiserver.key'),
    adminCertPath: p('admin.crt'),
    adminKeyPath: p('admin.key'),
    saKeyPath: p('sa.key'),
    saPubPath: p('sa.pub'),
  };
  await openssl(
    [
      'req',
      '-x509',
      ...EC_KEY,
      ...DAYS,
      '-keyout',
      pki.caKeyPath,
      '-out',
      pki.caCertPath,
      '-subj',
      '/CN=ferrolb-test-ca',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    'the CA',
  );
  const sans = [
    'IP:127.0.0.1',
    'DNS:localhost',
    'DNS:kubernetes',
    'DNS:kubernetes.default',
    'DNS:kubernetes.default.svc',
    ...(opts.servingSans ?? []),
  ];
  await openssl(
    [
      'req',
      '-x509',
      ...EC_KEY,
      ...DAYS,
      '-CA',
      pki.caCertPath,
      '-CAkey',
      pki.caKeyPath,
      '-keyout',
      pki.servingKeyPath,
      '-out',
      pki.servingCertPath,
      '-subj',
      '/CN=kube-apiserver',
      '-addext',
      'basicConstraints=critical,CA:FALSE',
      '-addext',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      '-addext',
      'extendedKeyUsage=serverAuth',
      '-addext',
      `subjectAltName=${sans.join(',')}`,
    ],
    'the API server serving cert',
  );
  await openssl(
    [
      'req',
      '-x509',
      ...EC_KEY,
      ...DAYS,
      '-CA',
      pki.caCertPath,
      '-CAkey',
      pki.caKeyPath,
      '-keyout',
      pki.adminKeyPath,
      '-out',
      pki.adminCertPath,
      '-subj',
      `/O=system:masters/CN=${opts.adminUser ?? 'ferrolb-admin'}`,
      '-addext',
      'basicConstraints=critical,CA:FALSE',
      '-addext',
      'keyUsage=critical,digitalSignature',
      '-addext',
      'extendedKeyUsage=clientAuth',
    ],
    'the admin client cert',
  );
  const sa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(pki.saKeyPath, sa.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(pki.saPubPath, sa.publicKey.export({ type: 'spki', format: 'pem' }));
  return {
    ...pki,
    caPem: readFileSync(pki.caCertPath, 'utf8'),
    adminCertPem: readFileSync(pki.adminCertPath, 'utf8'),
    adminKeyPem: readFileSync(pki.adminKeyPath, 'utf8'),
  };
}
