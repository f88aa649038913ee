// A vectors file without a Node runner must make the suite FAIL, never be skipped.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))

test('an unknown vectors file fails the vectors suite', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-node-runner-'))
  try {
    fs.copyFileSync(path.join(here, '..', '..', 'tests', 'vectors', 'scopes.json'), path.join(dir, 'scopes.json'))
    fs.writeFileSync(path.join(dir, 'brand_new.json'), '{"cases": []}')
    const r = spawnSync(process.execPath, ['--test', path.join(here, 'vectors.test.mjs')], {
      encoding: 'utf8',
      env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')), WARDEN_VECTORS_DIR: dir },
      timeout: 120000,
    })
    assert.notEqual(r.status, 0, 'the suite passed with a file it cannot run')
    assert.match(r.stdout, /not ok \d+ - brand_new\.json::runner/)
    assert.match(r.stdout, /# pass 238\b/) // every scopes.json case still runs
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
