// Binding glue: conversions both ways, the two Claims backings, Promises (KeySet.fetch against a
// real local HTTP server), handles and sugar. Behaviour itself is covered by the vectors.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const w = require('../dist/index.js')
const SECRET = '6ea6bc6c95f49cbfd43c012f2d066237643dcd3284ae2e3ba7c32511dcdd9009'
const NOW = 1790000000

function hsVerifier(extra = {}) {
  return new w.Verifier(w.Key.hs256Hex(SECRET), { algorithms: ['HS256'], now: NOW, ...extra })
}
const base = { sub: 'agent-1', aud: 'ati-proxy', iat: NOW, exp: NOW + 600, scope: 'tool:a skill:web-*', jti: 'j-1' }

test('claims round-trip: BigInt, floats, nesting, member order, null, __proto__ as data', () => {
  const big = 123456789012345678901234567890n
  const claims = { ...base, big, neg: -(2n ** 70n), i64: 2n ** 60n, ratio: 0.25, nested: { z: [1, { b: true }], a: null }, ['__proto__']: 'data' }
  Object.defineProperty(claims, '__proto__', { value: { x: 1 }, enumerable: true })
  const t = w.issueToken(w.Key.hs256Hex(SECRET), claims)
  const c = hsVerifier().verify(t)
  assert.equal(c.extra.big, big)
  assert.equal(c.extra.neg, -(2n ** 70n))
  assert.equal(c.extra.i64, 2n ** 60n)
  assert.equal(c.extra.ratio, 0.25)
  assert.deepStrictEqual(c.extra.nested, { z: [1, { b: true }], a: null })
  assert.deepStrictEqual(Object.getOwnPropertyDescriptor(c.extra, '__proto__').value, { x: 1 })
  assert.deepStrictEqual(Object.keys(c.toJSON()), ['sub', 'aud', 'iat', 'exp', 'scope', 'jti', 'big', 'neg', 'i64', 'ratio', 'nested', '__proto__'])
  assert.equal(c.toJSON().big, big)
})

test('JS numbers: safe integers are integers, others floats; undefined members skipped', () => {
  const c = new w.Claims({ a: 1, b: 1.5, c: 2 ** 60, d: undefined, e: -0 })
  assert.deepStrictEqual(c.toJSON(), { a: 1, b: 1.5, c: 2 ** 60, e: 0 })
  // a float exp is refused by the core, as in every SDK
  assert.throws(() => w.issueToken(w.Key.hs256Hex(SECRET), { ...base, exp: NOW + 0.5 }), w.ValidationError)
  assert.throws(() => w.issueToken(w.Key.hs256Hex(SECRET), { ...base, x: NaN }), w.ValidationError)
  assert.throws(() => w.issueToken(w.Key.hs256Hex(SECRET), { ...base, x: () => 1 }), w.ValidationError)
  assert.throws(() => w.issueToken(w.Key.hs256Hex(SECRET), { ...base, x: Symbol('s') }), w.ValidationError)
  // Claims.parse keeps JSON number types exactly
  assert.throws(() => w.issueToken(w.Key.hs256Hex(SECRET), w.Claims.parse(JSON.stringify(base).replace(`"exp":${NOW + 600}`, `"exp":${NOW + 600}.0`))), w.ValidationError)
})

test('toJSON of arguments is honoured (Date, Claims)', () => {
  const d = new Date(0)
  const c = new w.Claims({ when: d, inner: new w.Claims({ a: 1 }) })
  assert.deepStrictEqual(c.toJSON(), { when: d.toJSON(), inner: { a: 1 } })
})

test('cyclic and very deep arguments are VALIDATION_ERROR', () => {
  const cyc = { a: 1 }
  cyc.self = cyc
  assert.throws(() => new w.Claims(cyc), w.ValidationError)
  let deep = {}
  for (let i = 0; i < 200; i++) deep = { d: deep }
  assert.throws(() => new w.Claims(deep), w.ValidationError)
  const throwing = { get x() { throw new Error('getter') } }
  assert.throws(() => new w.Claims(throwing), w.ValidationError)
})

test('the text-backed (verify) and handle-backed (validate/inspect) Claims agree', () => {
  const t = w.issueToken(SECRET, { sub: 'agent-1', scope: 'tool:a skill:web-*', rate: { 'tool:a': '10/hour' }, jti: 'j-2', now: NOW })
  const a = hsVerifier({ issuer: 'ati-orchestrator' }).verify(t)
  const b = w.validateToken(t, SECRET, { now: NOW })
  const c = w.inspectToken(t)
  for (const x of [b, c]) {
    for (const k of ['sub', 'aud', 'audience', 'iat', 'exp', 'nbf', 'jti', 'iss', 'scope', 'ati', 'extra', 'scopes', 'rateLimits']) {
      assert.deepStrictEqual(x[k], a[k], k)
    }
    assert.deepStrictEqual(x.toJSON(), a.toJSON())
  }
  assert.deepStrictEqual(a.rateLimits, { 'tool:a': { count: 10, windowSeconds: 3600 } })
  assert.deepStrictEqual(a.scopes, ['tool:a', 'skill:web-*'])
  assert.equal(a.allows('skill:web-search'), true)
  assert.equal(a.allows('skill:web:x'), false)
  assert.equal(a.get('jti'), 'j-2')
  assert.equal(a.get('missing'), undefined)
  assert.equal(a.nbf, undefined)
  assert.equal(JSON.stringify(a), JSON.stringify(a.toJSON()))
})

test('inspect accessors follow the core: a float exp is not an integer exp', () => {
  const key = w.Key.hs256Hex(SECRET)
  const t = w.issueToken(key, { ...base })
  const [h, , s] = t.split('.')
  const payload = Buffer.from(JSON.stringify({ ...base, exp: 1.5 })).toString('base64url')
  const c = w.inspectToken(`${h}.${payload}.${s}`)
  assert.equal(c.exp, undefined)
  assert.equal(c.toJSON().exp, 1.5)
})

test('keys: EdDSA and ES256 sign/verify, JWK and PEM export/import', () => {
  for (const gen of [w.Key.generateEd25519, w.Key.generateEs256]) {
    const k = gen('k1')
    assert.equal(k.hasPrivate, true)
    const t = w.issueToken(k, { ...base, aud: 'warden' })
    const pub = w.Key.fromJwk(JSON.parse(k.publicJwk()))
    assert.equal(pub.hasPrivate, false)
    assert.equal(new w.Verifier([pub], { algorithms: [k.alg], audience: 'warden', now: NOW }).verify(t).sub, 'agent-1')
    const fromPem = w.Key.fromPem(k.toPem(), 'k1')
    assert.equal(fromPem.alg, k.alg)
    assert.equal(w.Key.fromPem(k.toPem(true), 'k1').hasPrivate, true)
    assert.throws(() => w.issueToken(k.publicKey(), base), w.InvalidKeyError)
  }
  const hs = w.Key.hs256Bytes(new Uint8Array(32).fill(7), 'h')
  assert.equal(hs.kid, 'h')
  assert.throws(() => hs.publicJwk(), w.InvalidKeyError)
  assert.equal(JSON.parse(hs.toJwk(true)).kty, 'oct')
  const set = new w.KeySet([hs, w.Key.generateEd25519('e')])
  assert.equal(set.size, 2)
  assert.equal(set.get('e').alg, 'EdDSA')
  assert.equal(set.get('nope'), null)
  assert.equal(JSON.parse(set.toPublicJwks()).keys.length, 1)
  assert.throws(() => new w.KeySet([]), w.ValidationError)
})

test('verifier: camelCase and core option names, revoke, one-time', () => {
  const v = hsVerifier({ oneTime: true, leewaySeconds: 0, max_json_depth: 16 })
  const t = w.issueToken(w.Key.hs256Hex(SECRET), base)
  assert.equal(v.verify(t).jti, 'j-1')
  assert.throws(() => v.verify(t), (e) => e instanceof w.TokenRevokedError && e.reason === 'replayed')
  const v2 = hsVerifier()
  v2.revoke('j-1')
  assert.equal(v2.isRevoked('j-1'), true)
  assert.throws(() => v2.verify(t), w.TokenRevokedError)
  assert.throws(() => hsVerifier({ bogus: 1 }), w.ValidationError)
  assert.throws(() => new w.Verifier(w.Key.hs256Hex(SECRET), {}), w.ValidationError)
})

test('scopes, ScopeSet, rate specs, orchestrator, sessionTokenFromEnv', () => {
  assert.equal(w.buildScopeString(['a'], ['b'], ['help']), 'tool:a skill:b help')
  assert.throws(() => w.buildScopeString(), w.ValidationError)
  assert.equal(w.matchesWildcard('tool:a:b', 'tool:a:*'), true)
  const s = new w.ScopeSet(['tool:a:*', 'help'])
  assert.equal(s.allows('tool:a:x'), true)
  assert.equal(s.allows('tool:b'), false)
  assert.equal(s.allows('ops:x\u0000'), false)
  assert.equal(s.covers('tool:a:b:*'), true)
  assert.deepStrictEqual(s.patterns(), ['tool:a:*', 'help'])
  assert.equal(s.size, 2)
  assert.throws(() => new w.ScopeSet(['bad pattern']), w.InvalidScopeError)
  assert.equal(w.ScopeSet.lenient(['bad pattern', 'tool:a']).allows('tool:a'), true)
  assert.equal(w.ScopeSet.fromClaim('tool:a tool:b').size, 2)
  const r = w.RateSpec.parse('10/hour')
  assert.deepStrictEqual(r.toJSON(), { count: 10, windowSeconds: 3600 })
  assert.equal(w.RateSpec.parse('2/s').isLooserThan(r), true)
  const o = new w.Orchestrator('http://proxy:8080//', SECRET)
  assert.equal(o.proxyUrl, 'http://proxy:8080')
  const env = o.provisionSandbox('agent-7', { tools: ['search'], ttlSeconds: 60, rate: { 'tool:search': '5/min' } })
  assert.equal(env.ATI_PROXY_URL, 'http://proxy:8080')
  const c = w.validateToken(env.ATI_SESSION_TOKEN, SECRET, { issuer: 'ati-orchestrator' })
  assert.equal(c.scope, 'tool:search')
  assert.deepStrictEqual(c.rateLimits, { 'tool:search': { count: 5, windowSeconds: 60 } })
  const o2 = new w.Orchestrator('http://p', w.Key.generateEd25519('o'), { defaultAud: 'warden' })
  assert.equal(w.inspectToken(o2.provisionSandbox('a', { skills: ['x'] }).ATI_SESSION_TOKEN).aud, 'warden')
  process.env.WARDEN_NODE_TEST_TOKEN = ' tok '
  assert.equal(w.sessionTokenFromEnv('WARDEN_NODE_TEST_TOKEN'), 'tok')
  delete process.env.WARDEN_NODE_TEST_TOKEN
  assert.throws(() => w.sessionTokenFromEnv('WARDEN_NODE_TEST_TOKEN'), w.NotFoundError)
})

function serveJwks(bodyRef) {
  return new Promise((resolve) => {
    let hits = 0
    const server = http.createServer((req, res) => {
      hits++
      res.writeHead(bodyRef.status ?? 200, { 'content-type': 'application/json' })
      res.end(bodyRef.body)
    })
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}/jwks.json`, hits: () => hits }))
  })
}

test('KeySet.fetch returns a Promise and reads a JWKS from a local HTTP server', async () => {
  const k1 = w.Key.generateEd25519('k1')
  const k2 = w.Key.generateEd25519('k2')
  const ref = { body: JSON.stringify({ keys: [JSON.parse(k1.publicJwk())] }) }
  const { server, url, hits } = await serveJwks(ref)
  try {
    const p = w.KeySet.fetch(url, 60)
    assert.ok(p instanceof Promise)
    const set = await p
    assert.equal(set.url, url)
    assert.equal(set.size, 1)
    const v = new w.Verifier(set, { algorithms: ['EdDSA'], audience: 'warden', now: NOW })
    assert.equal(v.verify(w.issueToken(k1, { ...base, aud: 'warden' })).sub, 'agent-1')
    // rotation: refresh picks up the new key
    ref.body = JSON.stringify({ keys: [JSON.parse(k1.publicJwk()), JSON.parse(k2.publicJwk())] })
    await set.refresh()
    assert.equal(set.size, 2)
    assert.equal(v.verify(w.issueToken(k2, { ...base, aud: 'warden' })).sub, 'agent-1')
    assert.ok(hits() >= 2)
    // errors: HTTP status, bad document, concurrent fetches
    ref.status = 500
    await assert.rejects(w.KeySet.fetch(url), (e) => e instanceof w.NetworkError && e.details.status === 500)
    ref.status = 200
    ref.body = '{"keys": []}'
    await assert.rejects(w.KeySet.fetch(url), w.InvalidKeyError)
    ref.body = JSON.stringify({ keys: [JSON.parse(k1.publicJwk())] })
    const many = await Promise.all(Array.from({ length: 8 }, () => w.KeySet.fetch(url)))
    assert.ok(many.every((s) => s.size === 1))
  } finally {
    server.close()
  }
})

test('verify hands JS the payload exactly: whitespace, non-ASCII, escapes, -0, big integers', async () => {
  const crypto = await import('node:crypto')
  const sign = (payloadText) => {
    const h = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')
    const p = Buffer.from(payloadText).toString('base64url')
    const s = crypto.createHmac('sha256', Buffer.from(SECRET, 'hex')).update(`${h}.${p}`).digest('base64url')
    return `${h}.${p}.${s}`
  }
  const std = `"sub":"agent-1","aud":"ati-proxy","iat":${NOW},"exp":${NOW + 600},"scope":"tool:a","jti":"j"`
  const v = hsVerifier()
  const a = v.verify(sign(`{ ${std}, "name": "\u00e9\\u00e9\\n", "r": 1.0, "z": -0.0 }`))
  assert.deepStrictEqual(a.extra, { name: 'éé\n', r: 1, z: -0 })
  assert.deepStrictEqual(a.toJSON().name, 'éé\n')
  const b = v.verify(sign(`{${std},"n":-0,"s":"-0"}`))
  assert.ok(Object.is(b.extra.n, 0), 'the core reads the integer -0 as 0')
  assert.ok(Object.is(b.toJSON().n, 0))
  const c = v.verify(sign(`{${std},"big":-123456789012345678901234567890}`))
  assert.equal(c.toJSON().big, -123456789012345678901234567890n)
  assert.equal(c.sub, 'agent-1')
})

test('ScopeSet.allows answers the same through its memo, its bypass and the core', () => {
  const patterns = ['tool:svc0:*', 'tool:exact_1', 'skill:research-*', 'help']
  const set = new w.ScopeSet(patterns)
  const ask = (s) => w.checkScope(s, patterns)
  // Fill the memo, then 5000 new scopes (the memo keeps missing: bypass), then repeats of the
  // first ones (memo hits) and new ones again: every answer equals the uncached core answer.
  const scopes = []
  for (let k = 0; k < 6000; k++) {
    scopes.push(k % 3 === 0 ? `tool:svc${k % 2}:r${k}` : k % 3 === 1 ? `skill:research-${k}` : `tool:exact_${k % 2}`)
  }
  let allowed = 0
  for (const s of [...scopes, ...scopes.slice(0, 300), ...scopes.slice(0, 300), 'help', 'tool:svc0:', 'tool:svc0:x:y', 'skill:research-a:b']) {
    const got = set.allows(s)
    assert.equal(got, ask(s), s)
    if (got) allowed++
  }
  assert.ok(allowed > 3000 && allowed < 6600, `allowed ${allowed}`)
  assert.throws(() => set.allows(42), w.ValidationError)
})
