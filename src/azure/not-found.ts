import {isNotFound} from './arm-errors.js'

/**
 * A 404 on a list means its parent (resource group, namespace, provider) is gone: nothing there, not an error. For
 * lists whose parent may legitimately be missing; anything else still throws.
 */
export async function emptyIfParentMissing<T>(list: Promise<T[]>): Promise<T[]> {
  try {
    return await list
  } catch (err) {
    if (isNotFound(err)) return []
    throw err
  }
}
