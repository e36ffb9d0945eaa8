import {execFile} from 'node:child_process'
import {mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {promisify} from 'node:util'

const run = promisify(execFile)

/**
 * A throw-away certificate authority for the local emulation (fake ARM over HTTPS, TLS MQTT brokers) made with the
 * system's openssl (argument arrays, no shell). EC P-256 keys: fast to make, accepted by Node and mosquitto.
 */
export interface Pki {
  dir: string
  caCert: string
  caKey: string
  /** Makes a leaf certificate signed by the CA (server when `dnsNames`/`ips` are given, client otherwise). */
  issue(
    name: string,
    opts?: {dnsNames?: string[]; ips?: string[]; days?: number; commonName?: string},
  ): Promise<IssuedCert>
}

export interface IssuedCert {
  cert: string
  key: string
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, {cwd})
  } catch (err) {
    const e = err as NodeJS.ErrnoException & {stderr?: string}
    if (e.code === 'ENOENT') {
      throw new Error('openssl was not found on PATH: install it (apt-get install openssl) to run the local emulation.')
    }
    throw new Error(`openssl ${args[0]} failed: ${e.stderr ?? e.message}`)
  }
}

export async function createPki(dir: string, opts: {caName?: string; days?: number} = {}): Promise<Pki> {
  await mkdir(dir, {recursive: true})
  const caKey = join(dir, 'ca.key')
  const caCert = join(dir, 'ca.crt')
  await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', caKey], dir)
  await openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      caKey,
      '-sha256',
      '-days',
      String(opts.days ?? 2),
      '-subj',
      `/CN=${opts.caName ?? 'aio-bridge local CA'}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      caCert,
    ],
    dir,
  )
  let serial = 1
  return {
    dir,
    caCert,
    caKey,
    async issue(name, o = {}) {
      const key = join(dir, `${name}.key`)
      const csr = join(dir, `${name}.csr`)
      const cert = join(dir, `${name}.crt`)
      const ext = join(dir, `${name}.ext`)
      const sans = [...(o.dnsNames ?? []).map((d) => `DNS:${d}`), ...(o.ips ?? []).map((i) => `IP:${i}`)]
      const server = sans.length > 0
      await writeFile(
        ext,
        [
          'basicConstraints=CA:FALSE',
          'keyUsage=critical,digitalSignature,keyEncipherment',
          `extendedKeyUsage=${server ? 'serverAuth' : 'clientAuth'}`,
          ...(server ? [`subjectAltName=${sans.join(',')}`] : []),
        ].join('\n'),
      )
      await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key], dir)
      await openssl(['req', '-new', '-key', key, '-subj', `/CN=${o.commonName ?? name}`, '-out', csr], dir)
      await openssl(
        [
          'x509',
          '-req',
          '-in',
          csr,
          '-CA',
          caCert,
          '-CAkey',
          caKey,
          '-set_serial',
          String(Date.now() * 100 + serial++),
          '-days',
          String(o.days ?? 2),
          '-sha256',
          '-extfile',
          ext,
          '-out',
          cert,
        ],
        dir,
      )
      return {cert, key}
    },
  }
}
