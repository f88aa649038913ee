// Totality: random and hostile inputs to every public entry point (tokens/scopes in
// totality-child.cjs, the engine API in engine-totality-child.cjs) never crash the process;
// each call returns a value or throws a WardenError. Runs in a child process so that an abort
// would fail this test instead of killing the runner.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const child = fileURLToPath(new URL('./totality-child.cjs', import.meta.url))

test('random inputs never crash the process and only throw WardenError', () => {
  const r = spawnSync(process.execPath, [child], { encoding: 'utf8', timeout: 120000 })
  assert.equal(r.signal, null, `child killed by ${r.signal}\n${r.stderr}`)
  assert.equal(r.status, 0, `child exited ${r.status}\n${r.stdout}\n${r.stderr}`)
  assert.match(r.stdout, /calls=\d+ ok/)
})

const engineChild = fileURLToPath(new URL('./engine-totality-child.cjs', import.meta.url))

test('random inputs to the engine API (Engine, Client, Guard, wrap, pure fns) never crash', () => {
  const r = spawnSync(process.execPath, [engineChild], { encoding: 'utf8', timeout: 120000 })
  assert.equal(r.signal, null, `child killed by ${r.signal}\n${r.stderr}`)
  assert.equal(r.status, 0, `child exited ${r.status}\n${r.stdout}\n${r.stderr}`)
  assert.match(r.stdout, /calls=\d+ ok/)
})
