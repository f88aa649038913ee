// Interop with the real `jose` and `jsonwebtoken` packages, both directions.
// HS256 with both; EdDSA with jose (jsonwebtoken 9 has no EdDSA); ES256 with both.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const w = require('../dist/index.js')
const jwt = require('jsonwebtoken')
const jose = await import('jose')

const SECRET_HEX = crypto.randomBytes(32).toString('hex')
const SECRET = Buffer.from(SECRET_HEX, 'hex')
const now = Math.floor(Date.now() / 1000)
const payload = { sub: 'agent-1', aud: 'ati-proxy', iat: now, exp: now + 600, scope: 'tool:a tool:b:*', jti: 'jti-1', job_id: 'j-9' }

function verifyWarden(token, key, alg) {
  const c = new w.Verifier([key], { algorithms: [alg] }).verify(token)
  assert.equal(c.sub, 'agent-1')
  assert.equal(c.exp, now + 600)
  assert.deepStrictEqual(c.extra, { job_id: 'j-9' })
  assert.equal(c.allows('tool:b:x'), true)
}

test('jose HS256 -> warden', async () => {
  const t = await new jose.SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(SECRET)
  verifyWarden(t, w.Key.hs256Hex(SECRET_HEX), 'HS256')
  const c = w.validateToken(t, SECRET_HEX)
  assert.equal(c.jti, 'jti-1')
})

test('warden HS256 -> jose', async () => {
  const t = w.issueToken(w.Key.hs256Hex(SECRET_HEX), payload)
  const { payload: p, protectedHeader } = await jose.jwtVerify(t, SECRET, { algorithms: ['HS256'], audience: 'ati-proxy' })
  assert.equal(protectedHeader.alg, 'HS256')
  assert.deepStrictEqual(p, payload)
  const t2 = w.issueToken(SECRET_HEX, { sub: 'agent-1', scope: 'tool:a' })
  assert.equal((await jose.jwtVerify(t2, SECRET, { algorithms: ['HS256'], issuer: 'ati-orchestrator' })).payload.sub, 'agent-1')
})

test('jose EdDSA -> warden (via the JWK) and warden EdDSA -> jose', async () => {
  const { publicKey, privateKey } = await jose.generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'ed-1' }
  const t = await new jose.SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', kid: 'ed-1' }).sign(privateKey)
  verifyWarden(t, w.Key.fromJwk(jwk), 'EdDSA')
  // private JWK from jose signs in warden too
  const priv = w.Key.fromJwk({ ...(await jose.exportJWK(privateKey)), kid: 'ed-1' })
  const t2 = w.issueToken(priv, payload)
  const pub = await jose.importJWK(JSON.parse(priv.publicJwk()), 'EdDSA')
  assert.deepStrictEqual((await jose.jwtVerify(t2, pub, { algorithms: ['EdDSA'] })).payload, payload)
  // and a warden-generated key
  const k = w.Key.generateEd25519('w-1')
  const t3 = w.issueToken(k, payload)
  const jwks = jose.createLocalJWKSet(JSON.parse(new w.KeySet([k]).toPublicJwks()))
  const r = await jose.jwtVerify(t3, jwks, { algorithms: ['EdDSA'] })
  assert.equal(r.protectedHeader.kid, 'w-1')
})

test('jose ES256 <-> warden', async () => {
  const { publicKey, privateKey } = await jose.generateKeyPair('ES256', { extractable: true })
  const t = await new jose.SignJWT(payload).setProtectedHeader({ alg: 'ES256' }).sign(privateKey)
  verifyWarden(t, w.Key.fromJwk(await jose.exportJWK(publicKey)), 'ES256')
  const k = w.Key.generateEs256('es')
  const t2 = w.issueToken(k, payload)
  assert.deepStrictEqual((await jose.jwtVerify(t2, await jose.importJWK(JSON.parse(k.publicJwk()), 'ES256'))).payload, payload)
})

test('jsonwebtoken HS256 <-> warden', () => {
  const keyObj = crypto.createSecretKey(SECRET)
  const t = jwt.sign(payload, keyObj, { algorithm: 'HS256' })
  verifyWarden(t, w.Key.hs256Hex(SECRET_HEX), 'HS256')
  const t2 = w.issueToken(SECRET_HEX, { sub: 'agent-1', scope: 'tool:a', rate: { 'tool:a': '5/min' } })
  const p = jwt.verify(t2, keyObj, { algorithms: ['HS256'], audience: 'ati-proxy', issuer: 'ati-orchestrator' })
  assert.deepStrictEqual(p.ati, { v: 1, rate: { 'tool:a': '5/min' } })
  // a tampered token is refused by both
  const bad = t2.slice(0, -2) + (t2.endsWith('AA') ? 'BB' : 'AA')
  assert.throws(() => jwt.verify(bad, keyObj, { algorithms: ['HS256'] }))
  assert.throws(() => w.validateToken(bad, SECRET_HEX), (e) => e instanceof w.InvalidTokenError)
})

test('jsonwebtoken ES256 <-> warden (PEM)', () => {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const t = jwt.sign(payload, privateKey, { algorithm: 'ES256' })
  verifyWarden(t, w.Key.fromPem(publicKey.export({ type: 'spki', format: 'pem' })), 'ES256')
  const k = w.Key.fromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }), 'p')
  const t2 = w.issueToken(k, payload)
  assert.deepStrictEqual(jwt.verify(t2, publicKey, { algorithms: ['ES256'] }), payload)
})

test('alg confusion from a peer is refused: an HS256 token "signed" with a public key', async () => {
  const k = w.Key.generateEd25519('x')
  const t = await new jose.SignJWT(payload).setProtectedHeader({ alg: 'HS256', kid: 'x' }).sign(Buffer.from(k.publicJwk()))
  assert.throws(() => new w.Verifier([k.publicKey()], { algorithms: ['EdDSA'] }).verify(t), (e) => e.reason === 'alg_not_allowed')
  assert.throws(() => new w.Verifier([k.publicKey()], { algorithms: ['EdDSA', 'HS256'] }).verify(t), (e) => e.reason === 'alg_key_mismatch')
})
