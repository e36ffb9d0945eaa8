/**
 * Loaded with `node --import <this file> bin/run.js …` by the benchmarks, never by the product: at exit it writes the
 * process's peak resident memory and the number of TCP connections it opened (keep-alive shows as few connections for
 * many requests) to the file named by AIO_BENCH_HOOK_OUT.
 */
import {subscribe} from 'node:diagnostics_channel'
import {writeFileSync} from 'node:fs'

const out = process.env.AIO_BENCH_HOOK_OUT
let connections = 0
subscribe('net.client.socket', () => {
  connections++
})
process.on('exit', () => {
  if (!out) return
  // resourceUsage().maxRSS is in kibibytes.
  writeFileSync(out, JSON.stringify({maxRssMb: process.resourceUsage().maxRSS / 1024, connections}))
})
