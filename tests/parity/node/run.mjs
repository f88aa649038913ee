#!/usr/bin/env node
// The Node parity runner (tests/parity/README.md):
//   node tests/parity/node/run.mjs <scenario files...> --out <dir> [--gateway URL --api-key KEY]
// replays every case of every file through the Node SDK's public API (replay.mjs), writes
// `<dir>/<file stem>.json` = {"<case name>": [record, ...], ...}, and exits non-zero naming each
// failing `file::case step i` if any expectation does not match (the transcripts are written
// anyway). Any engine-shaped file works (the engine vectors too). With `--gateway URL --api-key
// KEY` every case runs through `Client.connect(URL, KEY)` against a gateway in test mode
// ("Against a live gateway" in tests/parity/README.md); the transcripts must be the same.

import fs from 'node:fs'
import path from 'node:path'
import { runCase, isEngineShaped, w } from './replay.mjs'

/** JSON text of a transcript value (BigInt as exact digits, which JSON.stringify refuses). */
function jsonText(v) {
  if (typeof v === 'bigint') return v.toString()
  if (v === null || v === undefined) return 'null'
  if (Array.isArray(v)) return `[${v.map(jsonText).join(',')}]`
  if (typeof v === 'object') {
    return `{${Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`)
      .join(',')}}`
  }
  return JSON.stringify(v)
}

async function main(argv) {
  const files = []
  let out = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'out', 'node')
  let url
  let apiKey
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') out = argv[++i]
    else if (argv[i] === '--gateway') url = argv[++i]
    else if (argv[i] === '--api-key') apiKey = argv[++i]
    else files.push(argv[i])
  }
  if (files.length === 0 || out === undefined || (url === undefined) !== (apiKey === undefined)) {
    console.error('usage: run.mjs <scenario files...> --out <dir> [--gateway URL --api-key KEY]')
    return 2
  }
  // One connection pool for the whole run; every case starts with its own test_reset.
  let gateway
  if (url !== undefined) {
    try {
      gateway = { client: w.Client.connect(url, apiKey) }
    } catch (e) {
      console.error(`--gateway: ${e.code ?? ''} ${e.message}`)
      return 2
    }
  }
  fs.mkdirSync(out, { recursive: true })
  const failed = []
  let cases = 0
  for (const file of files) {
    const base = path.basename(file)
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'))
    if (!isEngineShaped(doc) || !Number.isInteger(doc.clock) || !Array.isArray(doc.cases)) {
      failed.push(`${base}: not an engine-shaped scenario file (suite, clock, cases)`)
      continue
    }
    const transcripts = {}
    for (const c of doc.cases) {
      cases++
      const { transcript, failures } = await runCase(c, doc.clock, gateway)
      if (transcript !== null) transcripts[c.name] = transcript
      for (const f of failures) failed.push(`${base}::${c.name} ${f}`)
    }
    const sorted = Object.fromEntries(Object.keys(transcripts).sort().map((k) => [k, transcripts[k]]))
    fs.writeFileSync(path.join(out, `${path.basename(file, '.json')}.json`), `${jsonText(sorted)}\n`)
  }
  for (const f of failed) console.error(`FAIL ${f}`)
  const mode = gateway ? ` against ${url}` : ''
  console.log(`node parity${mode}: ${files.length} file(s), ${cases} case(s), ${failed.length} failure(s); transcripts in ${out}`)
  return failed.length === 0 ? 0 : 1
}

process.exitCode = await main(process.argv.slice(2))
