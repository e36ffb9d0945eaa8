#!/usr/bin/env node
import module from 'node:module'

// One line for Node < 22 (instead of oclif's engine warning): what to run instead. The project's own Node 24 (its
// `node` devDependency) is first on PATH for npm scripts and npx.
if (Number(process.versions.node.split('.')[0]) < 22) {
  process.env.OCLIF_DISABLE_ENGINE_WARNING = '1'
  process.stderr.write(
    `aio-bridge needs Node 22 or newer (this is ${process.version}): in the project run npx aio-bridge … or npm start -- …, which use its Node 24, or install Node 22+.\n`,
  )
}

// Reuse V8's compiled code between runs (Node ≥ 22.1; a no-op where missing): every command starts faster.
module.enableCompileCache?.()
const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
