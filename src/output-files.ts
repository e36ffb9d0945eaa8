import {randomBytes} from 'node:crypto'
import {accessSync, constants, statSync} from 'node:fs'
import {mkdir, rename, rm, writeFile} from 'node:fs/promises'
import {basename, dirname, join, resolve} from 'node:path'
import {ConfigError} from './errors.js'

/**
 * Files aio-bridge writes for the user (render/setup --out-dir, verify --junit): checked before a run starts, so a
 * path that cannot be written is exit 2 with nothing done, and written without following a link already there.
 */

function exists(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK | constants.X_OK)
    return true
  } catch {
    return false
  }
}

function pathError(flag: string, path: string, problem: string, remedy: string): ConfigError {
  return new ConfigError('OUTPUT_PATH_INVALID', `${flag} ${path} ${problem}.`, remedy, {flag, path})
}

/** The nearest folder that exists on the way to `path`, and what stands in the way of making the rest. */
function nearestFolder(path: string, flag: string, example: string): void {
  let at = dirname(path)
  for (;;) {
    const s = exists(at)
    if (s) {
      if (!s.isDirectory())
        throw pathError(
          flag,
          path,
          `cannot be made: ${at} is a file`,
          `Pass a path under a folder, e.g. ${flag} ${example}.`,
        )
      if (!writable(at))
        throw pathError(
          flag,
          path,
          `cannot be made: ${at} is not writable by this user`,
          `Pass a path you can write to, e.g. ${flag} ${example}.`,
        )
      return
    }
    const up = dirname(at)
    if (up === at) return
    at = up
  }
}

/** A folder to write files into: an existing writable folder, or one that can be made. */
export function checkOutputDir(dir: string, flag: string): string {
  const path = resolve(dir)
  const example = `./${basename(path) || 'aio-bridge-out'}`
  const s = exists(path)
  if (s && !s.isDirectory())
    throw pathError(
      flag,
      dir,
      'is a file, not a folder',
      `Pass a folder (it is made when missing), e.g. ${flag} ${example}-files.`,
    )
  if (s && !writable(path))
    throw pathError(
      flag,
      dir,
      'is not writable by this user',
      `Pass a folder you can write to, e.g. ${flag} ./aio-bridge-out.`,
    )
  if (!s) nearestFolder(path, flag, example)
  return path
}

/** A file to (over)write: not a folder, writable if it exists, its folder existing or makeable. */
export function checkOutputFile(file: string, flag: string): string {
  const path = resolve(file)
  const example = `./${basename(path)}`
  const s = exists(path)
  if (s?.isDirectory())
    throw pathError(
      flag,
      file,
      'is a folder, not a file',
      `Pass a file name, e.g. ${flag} ${join(file, 'report.xml')}.`,
    )
  if (s) {
    try {
      accessSync(path, constants.W_OK)
    } catch {
      throw pathError(flag, file, 'is not writable by this user', `Pass a file you can write, e.g. ${flag} ${example}.`)
    }
  }
  const parent = exists(dirname(path))
  if (parent && !parent.isDirectory())
    throw pathError(
      flag,
      file,
      `cannot be written: ${dirname(path)} is a file`,
      `Pass a path under a folder, e.g. ${flag} ${example}.`,
    )
  if (parent && !writable(dirname(path)))
    throw pathError(
      flag,
      file,
      `cannot be written: ${dirname(path)} is not writable by this user`,
      `Pass a file in a folder you can write to, e.g. ${flag} ${example}.`,
    )
  if (!parent) nearestFolder(path, flag, example)
  return path
}

/**
 * Writes `content` to `path` through a new file in the same folder renamed over it: a symlink (or anything) already at
 * `path` is replaced, never followed, and a reader never sees half a file. Missing folders are made.
 */
export async function writeFileReplacing(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), {recursive: true})
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    await writeFile(tmp, content, {encoding: 'utf8', flag: 'wx'})
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, {force: true})
    throw err
  }
}
