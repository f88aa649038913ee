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

test('an engine-shaped file of any name runs generically, and a wrong expectation fails', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-node-runner-'))
  try {
    const doc = {
      suite: 'brand_new_engine_suite',
      version: 1,
      clock: 1767225600,
      cases: [
        {
          name: 'passes',
          steps: [
            { op: 'create_agent', args: { name: 'a', capabilities: ['tool:*'] }, as: 'A', expect: { agent_id: '<non-null>', created_at: 1767225600000 } },
            { op: 'advance', seconds: 5 },
            { op: 'new_guard', args: { agent_id: '$A' }, as: 'g' },
            { op: 'guard_check', args: { guard: 'guard:g', tool: 'web_search' }, expect: { allowed: true, decided_at: 1767225605000, agent_id: '$A' } },
          ],
        },
        {
          name: 'wrong_expectation',
          steps: [{ op: 'create_agent', args: { name: 'a' }, expect: { name: 'b' } }],
        },
        {
          name: 'wrong_error',
          steps: [{ op: 'get_agent', args: { agent_id: 'agt_01KDVDNA00EF9KPSKA3RGXNAGH' }, expect: { error: 'CONFLICT' } }],
        },
        { name: 'pure_effect', tool: 'delete_user', expect: { effect: 'destructive', words: ['delete', 'user'] } },
        { name: 'pure_effect_wrong', tool: 'delete_user', expect: { effect: 'read' } },
        { name: 'unknown_pure_op', op: 'frobnicate', args: {}, expect: { value: 1 } },
      ],
    }
    fs.writeFileSync(path.join(dir, 'zz_new_engine.json'), JSON.stringify(doc))
    const r = spawnSync(process.execPath, ['--test', path.join(here, 'vectors.test.mjs')], {
      encoding: 'utf8',
      env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')), WARDEN_VECTORS_DIR: dir },
      timeout: 120000,
    })
    assert.notEqual(r.status, 0)
    assert.match(r.stdout, /^ok \d+ - zz_new_engine\.json::passes$/m)
    assert.match(r.stdout, /^ok \d+ - zz_new_engine\.json::pure_effect$/m)
    for (const bad of ['wrong_expectation', 'wrong_error', 'pure_effect_wrong', 'unknown_pure_op']) {
      assert.match(r.stdout, new RegExp(`^not ok \\d+ - zz_new_engine\\.json::${bad}$`, 'm'))
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
