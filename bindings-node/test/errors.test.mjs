// The error classes cover exactly the core's error_codes(); native errors (sync and async)
// arrive as typed WardenError subclasses with code, reason and details.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const w = require('../dist/index.js')

test('one subclass per core error code, exactly', () => {
  const codes = w.errorCodes()
  assert.equal(codes.length, new Set(codes).size)
  assert.deepStrictEqual(Object.keys(w.ERROR_CLASSES).sort(), [...codes].sort())
  for (const code of codes) {
    const Cls = w.ERROR_CLASSES[code]
    assert.equal(Cls.code, code)
    const e = new Cls('m', { reason: 'r', details: { a: 1 } })
    assert.ok(e instanceof w.WardenError && e instanceof Error)
    assert.equal(e.code, code)
    assert.equal(e.reason, 'r')
    assert.deepStrictEqual(e.details, { a: 1 })
    assert.equal(e.name, Cls.name)
  }
  // every exported subclass is in the table (no stray classes)
  const exported = Object.values(w).filter((v) => typeof v === 'function' && v.prototype instanceof w.WardenError)
  assert.equal(exported.length, codes.length)
})

test('sync native errors become typed errors with reason', () => {
  assert.throws(() => w.inspectToken('a.b'), (e) => e instanceof w.InvalidTokenError && e.code === 'INVALID_TOKEN' && e.reason === 'malformed')
  assert.throws(() => w.Key.hs256Hex('00'), w.InvalidKeyError)
  assert.throws(() => w.parseScopes('Tool:a'), w.InvalidScopeError)
  assert.throws(() => w.RateSpec.parse('1/week'), w.InvalidRateSpecError)
})

test('TOKEN_EXPIRED carries details {exp, now}', () => {
  const secret = 'ab'.repeat(32)
  const t = w.issueToken(secret, { sub: 'a', scope: 'tool:a', ttlSeconds: 10, now: 1000 })
  assert.throws(
    () => new w.Verifier(w.Key.hs256Hex(secret), { algorithms: ['HS256'], now: 5000, issuer: 'ati-orchestrator' }).verify(t),
    (e) => e instanceof w.TokenExpiredError && e.details.exp === 1010 && e.details.now === 5000,
  )
})

test('async native errors become typed errors (rejected Promise)', async () => {
  await assert.rejects(w.KeySet.fetch('ftp://example.invalid/jwks'), w.ValidationError)
  await assert.rejects(w.KeySet.fetch('http://127.0.0.1:1/jwks', 60), w.NetworkError)
  await assert.rejects(w.KeySet.fetch('https://127.0.0.1:1/jwks', 1.5), w.ValidationError)
  await assert.rejects(w.KeySet.fromJwks({ keys: [JSON.parse(w.Key.generateEd25519('a').publicJwk())] }).refresh(), w.ValidationError)
})

test('wrong JS argument types are VALIDATION_ERROR, never a raw napi error', () => {
  for (const f of [
    () => w.parseScopes(42),
    () => w.checkScope('tool:a', 'tool:a'),
    () => w.Key.hs256Hex(null),
    () => w.inspectToken({}),
    () => w.validateToken(1, 2),
    () => new w.ScopeSet('tool:a'),
    () => w.sessionTokenFromEnv(7),
    () => w.issueToken(w.Key.hs256Hex('ab'.repeat(32)), 'claims'),
    () => new w.KeySet([1]),
    () => new w.Verifier(w.Key.hs256Hex('ab'.repeat(32)), { algorithms: 'HS256' }),
  ]) {
    assert.throws(f, (e) => e instanceof w.ValidationError, String(f))
  }
})

test('fromNative is idempotent and maps unknown errors to INTERNAL', () => {
  const e = new w.NotFoundError('x')
  assert.equal(w.fromNative(e), e)
  assert.ok(w.fromNative(new Error('boom')) instanceof w.InternalError)
  assert.ok(w.fromNative(new Error('WARDEN_ERROR {not json')) instanceof w.InternalError)
})
