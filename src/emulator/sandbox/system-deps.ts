import {accessSync, constants} from 'node:fs'
import {delimiter, join} from 'node:path'
import {AioBridgeError, ExitCode} from '../../errors.js'

/**
 * The two system programs the local emulation needs (mosquitto for the IoT Operations broker stand-in, openssl for
 * its throw-away CA), found before anything starts so a fresh machine gets one clear error naming the install
 * command instead of a broker that never comes up.
 */

const INSTALL_COMMAND = 'bash scripts/ensure-system-deps.sh   (or: sudo apt-get install -y mosquitto openssl)'

/** `AIO_BRIDGE_<TOOL>` (a path) first, then PATH, then the sbin directories Debian installs mosquitto into. */
export function findSystemTool(name: 'mosquitto' | 'openssl', env = process.env): string | undefined {
  const override = env[`AIO_BRIDGE_${name.toUpperCase()}`]
  if (override !== undefined && override !== '') return isExecutable(override) ? override : undefined
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/sbin', '/usr/local/sbin', '/sbin']
  for (const d of dirs) {
    const p = join(d, name)
    if (isExecutable(p)) return p
  }
  return undefined
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** Throws SANDBOX_MOSQUITTO_MISSING / SANDBOX_OPENSSL_MISSING (exit 5); returns the mosquitto path otherwise. */
export function requireSystemDeps(env = process.env): {mosquitto: string; openssl: string} {
  const mosquitto = findSystemTool('mosquitto', env)
  const openssl = findSystemTool('openssl', env)
  const missing = [mosquitto ? undefined : 'mosquitto', openssl ? undefined : 'openssl'].filter(Boolean) as string[]
  if (mosquitto && openssl) return {mosquitto, openssl}
  const first = missing[0] as string
  throw new AioBridgeError(
    `SANDBOX_${first.toUpperCase()}_MISSING`,
    `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed: the local emulation runs the IoT Operations broker stand-in on mosquitto and makes its certificates with openssl.`,
    {
      remedy: `Install ${missing.join(' and ')}: ${INSTALL_COMMAND}`,
      exitCode: ExitCode.prerequisite,
      details: {missing},
    },
  )
}
