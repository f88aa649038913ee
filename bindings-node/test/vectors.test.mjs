// Runs every case of every file in tests/vectors/ by name, replayed as core/tests/vectors.rs
// and core/tests/engine_vectors.rs do. A file without a runner here FAILS. Values are compared
// type-strictly (numbers vs BigInt vs strings), errors by code (and reason where the case gives
// one), never by message. Engine-shaped files (a top-level `suite`: effects, guard decisions,
// delegations, approvals, and any later one of that shape) run through the replay routine the
// Node parity runner uses (../../tests/parity/node/replay.mjs), with the SDK's public API.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { parseJson, rawOf, isLossy } from './json-raw.mjs'
import { runCase, isEngineShaped } from '../../tests/parity/node/replay.mjs'

const require = createRequire(import.meta.url)
const w = require('../dist/index.js')
const here = path.dirname(fileURLToPath(import.meta.url))
// WARDEN_VECTORS_DIR only lets test/runner-coverage.test.mjs point the runner at a scratch copy.
const VECTORS = process.env.WARDEN_VECTORS_DIR ?? path.join(here, '..', '..', 'tests', 'vectors')

/** The claims as seen through the public getters plus `extra` (as the Rust runner does). */
function exposed(c) {
  const m = {}
  for (const k of ['sub', 'aud', 'iat', 'exp', 'nbf', 'jti', 'iss', 'scope', 'ati']) {
    const v = c[k]
    if (v !== undefined) m[k] = v
  }
  for (const [k, v] of Object.entries(c.extra)) m[k] = v
  return m
}

function run(f) {
  try {
    return { ok: true, value: f() }
  } catch (e) {
    return { ok: false, error: e }
  }
}

function expectError(r, expect) {
  assert.equal(r.ok, false, `expected ${expect.error}, got success ${r.ok ? JSON.stringify(r.value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)) : ''}`)
  const e = r.error
  assert.ok(e instanceof w.WardenError, `not a WardenError: ${e?.stack ?? e}`)
  assert.equal(e.code, expect.error, `expected ${expect.error}, got ${e.code}: ${e.message}`)
  assert.ok(e instanceof w.ERROR_CLASSES[expect.error], `not an instance of ${w.ERROR_CLASSES[expect.error].name}`)
  if (typeof expect.reason === 'string') assert.equal(e.reason, expect.reason, `reason of ${e.code}: ${e.message}`)
}

function value(r) {
  if (!r.ok) throw r.error
  return r.value
}

function checkClaims(c, want) {
  assert.ok(c instanceof w.Claims)
  assert.deepStrictEqual(exposed(c), want)
}

// ---- ati_interop.json ----

function atiValidate(c, profile) {
  const secret = c.secret_hex
  const viaVerifier = run(() => {
    const key = w.Key.hs256Hex(secret)
    const v = new w.Verifier(key, {
      algorithms: profile.algorithms,
      audience: profile.audience,
      issuer: profile.issuer ?? null,
      leewaySeconds: profile.leeway_seconds,
      maxLifetimeSeconds: profile.max_lifetime_seconds,
      now: c.now ?? null,
    })
    return v.verify(c.token)
  })
  const viaShortcut = run(() =>
    w.validateToken(c.token, secret, { audience: profile.audience, issuer: profile.issuer ?? null, leeway: profile.leeway_seconds, now: c.now ?? null }),
  )
  assert.equal(viaVerifier.ok ? 'ok' : viaVerifier.error.code, viaShortcut.ok ? 'ok' : viaShortcut.error.code, 'Verifier and validateToken disagree')
  if (viaVerifier.ok) assert.deepStrictEqual(exposed(viaVerifier.value), exposed(viaShortcut.value))
  return viaShortcut
}

function atiIssue(c, defaults) {
  // issue_defaults, then issue_args (a given key moves to the end, as in the Rust runner), then now.
  const args = { ...defaults }
  for (const [k, v] of Object.entries(c.issue_args)) {
    delete args[k]
    args[k] = v
  }
  delete args.now
  args.now = c.issue_now
  return run(() => w.issueToken(c.secret_hex, args))
}

function atiCases(file, v) {
  for (const c of v.accept) {
    test(`${file}::accept::${c.name}`, () => {
      checkClaims(value(atiValidate(c, v.profile)), c.expect.claims)
      if (c.reissue_identical === true) assert.equal(value(atiIssue(c, v.issue_defaults)), c.token)
    })
  }
  for (const c of v.reject) {
    test(`${file}::reject::${c.name}`, () => {
      if (c.stage === 'validate') expectError(atiValidate(c, v.profile), c.expect)
      else if (c.stage === 'issue') expectError(atiIssue(c, v.issue_defaults), c.expect)
      else assert.fail(`unknown stage ${c.stage}`)
    })
  }
}

// ---- scopes.json ----

function scopeCases(file, v) {
  const runners = {
    parse(c) {
      const r = run(() => w.parseScopes(c.input))
      if (c.expect.valid === true) {
        assert.deepStrictEqual(value(r), c.expect.tokens)
        assert.equal(w.isValidScope(c.input), true)
      } else {
        assert.equal(w.isValidScope(c.input), false)
        expectError(r, { error: 'INVALID_SCOPE' })
      }
    },
    match(c) {
      assert.equal(w.checkScope(c.required, c.granted), c.expect, 'checkScope')
      assert.equal(w.ScopeSet.lenient(c.granted).allows(c.required), c.expect, 'ScopeSet.allows')
    },
    covers(c) {
      assert.equal(c.child.every((x) => w.covers(c.parent, x)), c.expect, 'covers')
      const set = w.ScopeSet.lenient(c.parent)
      assert.equal(c.child.every((x) => set.covers(x)), c.expect, 'ScopeSet.covers')
    },
    build_scope_string(c) {
      const r = run(() => w.buildScopeString(c.args.tools, c.args.skills, c.args.extra))
      if (typeof c.expect.scope === 'string') assert.equal(value(r), c.expect.scope)
      else expectError(r, c.expect)
    },
    rate_specs(c) {
      const r = run(() => w.RateSpec.parse(c.input))
      if (c.expect.valid === true) {
        const got = value(r)
        assert.deepStrictEqual({ count: got.count, window_seconds: got.windowSeconds }, { count: c.expect.count, window_seconds: c.expect.window_seconds })
      } else expectError(r, { error: 'INVALID_RATE_SPEC' })
    },
  }
  for (const sec of ['parse', 'match', 'covers', 'build_scope_string', 'rate_specs']) {
    assert.ok(Array.isArray(v[sec]), `${file}: section ${sec}`)
    for (const c of v[sec]) test(`${file}::${sec}::${c.name}`, () => runners[sec](c))
  }
}

// ---- warden_tokens.json ----

function keyFromSpec(name, keys, publicOnly) {
  const jwk = keys[name]
  assert.ok(jwk, `unknown key ${name}`)
  const k = w.Key.fromJwk(rawOf(jwk))
  return publicOnly ? k.publicKey() : k
}

function keysetFor(c, keys) {
  if (typeof c.jwks === 'string') return w.KeySet.fromJwks(c.jwks)
  return new w.KeySet(c.keys.map((k) => keyFromSpec(k, keys, true)))
}

function withEnv(c, f) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-node-vec-'))
  const names = new Set([c.var, `${c.var}_FILE`, ...Object.keys(c.env ?? {})])
  const saved = new Map([...names].map((n) => [n, process.env[n]]))
  try {
    for (const n of names) delete process.env[n]
    for (const [k, val] of Object.entries(c.env ?? {})) process.env[k] = val
    if (typeof c.file_content === 'string') {
      const p = path.join(dir, 'token')
      fs.writeFileSync(p, c.file_content)
      process.env[`${c.var}_FILE`] = p
    }
    return f()
  } finally {
    for (const [n, val] of saved) {
      if (val === undefined) delete process.env[n]
      else process.env[n] = val
    }
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

const wardenRunners = {
  verify(c, root) {
    const r = run(() => new w.Verifier(keysetFor(c, root.keys), c.options).verify(c.token))
    if (c.expect.claims !== undefined) checkClaims(value(r), c.expect.claims)
    else expectError(r, c.expect)
  },
  inspect(c) {
    const r = run(() => w.inspectToken(c.token))
    if (c.expect.claims !== undefined) checkClaims(value(r), c.expect.claims)
    else expectError(r, c.expect)
  },
  issue(c, root) {
    // The claims go to the core as their exact JSON text (number types kept); when JS values
    // can express them exactly, the plain-object form must give the same result.
    const viaText = run(() => w.issueToken(keyFromSpec(c.key, root.keys, false), w.Claims.parse(rawOf(c.claims)), c.now ?? null))
    const forms = [viaText]
    if (!isLossy(c.claims)) forms.push(run(() => w.issueToken(keyFromSpec(c.key, root.keys, false), c.claims, c.now ?? null)))
    for (const r of forms) {
      if (typeof c.expect.token === 'string') assert.equal(value(r), c.expect.token)
      else expectError(r, c.expect)
    }
  },
  keys_ops(c) {
    const kid = c.kid ?? null
    const ops = {
      hs256_hex: () => w.Key.hs256Hex(c.input, kid),
      from_jwk: () => w.Key.fromJwk(c.input),
      from_pem: () => w.Key.fromPem(c.input, kid),
      from_jwks: () => w.KeySet.fromJwks(c.input).keys()[0],
    }
    assert.ok(ops[c.op], `unknown key op ${c.op}`)
    const r = run(ops[c.op])
    if (typeof c.expect.alg === 'string') {
      const k = value(r)
      assert.equal(k.alg, c.expect.alg)
      assert.equal(k.kid, c.expect.kid ?? null)
      if (c.expect.public_jwk !== undefined) assert.deepStrictEqual(JSON.parse(k.publicJwk()), c.expect.public_jwk)
    } else expectError(r, c.expect)
  },
  provision(c) {
    const r = run(() => {
      const orch = new w.Orchestrator(c.proxy_url, c.secret_hex)
      const { agent_id, ...args } = c.args
      return orch.provisionSandbox(agent_id, { ...args, now: c.now ?? null, jti: c.jti ?? null })
    })
    if (c.expect.env !== undefined) assert.deepStrictEqual({ ...value(r) }, c.expect.env)
    else expectError(r, c.expect)
  },
  session_token_from_env(c) {
    const r = withEnv(c, () => run(() => w.sessionTokenFromEnv(c.var)))
    if (typeof c.expect.token === 'string') assert.equal(value(r), c.expect.token)
    else expectError(r, c.expect)
  },
}

function wardenCases(file, v) {
  for (const [sec, cases] of Object.entries(v)) {
    if (!Array.isArray(cases) || sec === 'notes') continue
    for (const c of cases) {
      test(`${file}::${sec}::${c.name}`, () => {
        const runner = wardenRunners[sec]
        assert.ok(runner, `no runner for section ${sec}`)
        runner(c, v)
      })
    }
  }
}

// ---- engine-shaped files (SEMANTICS-engine §18) ----

function engineCases(file, v) {
  test(`${file}::shape`, () => {
    assert.ok(Number.isInteger(v.clock), 'clock (unix seconds)')
    assert.ok(Array.isArray(v.cases) && v.cases.length > 0, 'cases')
  })
  for (const c of Array.isArray(v.cases) ? v.cases : []) {
    test(`${file}::${c.name}`, async () => {
      const { failures } = await runCase(c, v.clock)
      assert.deepStrictEqual(failures, [], failures.join('\n'))
    })
  }
}

// ---- every file ----

const files = fs.readdirSync(VECTORS).filter((f) => f.endsWith('.json')).sort()
test('vectors directory is not empty', () => assert.ok(files.length >= 3))
for (const file of files) {
  const v = parseJson(fs.readFileSync(path.join(VECTORS, file), 'utf8'))
  if (file === 'ati_interop.json') atiCases(file, v)
  else if (file === 'scopes.json') scopeCases(file, v)
  else if (file === 'warden_tokens.json') wardenCases(file, v)
  else if (isEngineShaped(v)) engineCases(file, v)
  else test(`${file}::runner`, () => assert.fail(`no Node runner for ${file}`))
}
