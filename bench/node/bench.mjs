// Warden (Node binding) vs jose, jsonwebtoken and fast-jwt, side by side in one run:
// HS256 sign/verify, EdDSA verify, and ScopeSet.allows vs a plain-JS wildcard loop over 20
// patterns. Prints ops/s and ratios; nothing is asserted or hard-coded.
//
// Run: make -C bindings-node bench   (or: node bench/node/bench.mjs after building bindings-node)
// Every verify reads `.sub` from its result so that lazily decoded claims pay their way.
import crypto from 'node:crypto'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const here = path.dirname(fileURLToPath(import.meta.url))
const nodeDir = path.join(here, '..', '..', 'bindings-node')
const require = createRequire(path.join(nodeDir, 'package.json'))
const w = require('./dist/index.js')
const jwt = require('jsonwebtoken')
const { createSigner, createVerifier } = require('fast-jwt')
const jose = await import(require.resolve('jose'))

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const SLICE_MS = Number(process.env.BENCH_SLICE_MS ?? 200)

async function measure(fn, isAsync) {
  const end = performance.now() + SLICE_MS
  let n = 0
  const t0 = performance.now()
  if (isAsync) {
    while (performance.now() < end) {
      for (let i = 0; i < 64; i++) await fn()
      n += 64
    }
  } else {
    while (performance.now() < end) {
      for (let i = 0; i < 256; i++) fn()
      n += 256
    }
  }
  return (n / (performance.now() - t0)) * 1000
}

/** Runs the contenders interleaved (A B C, A B C, …) and returns the median ops/s of each. */
async function group(title, contenders) {
  for (const c of contenders) for (let i = 0; i < 2000; i++) c.isAsync ? await c.fn() : c.fn() // warm-up
  const samples = contenders.map(() => [])
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < contenders.length; i++) samples[i].push(await measure(contenders[i].fn, contenders[i].isAsync))
  }
  const med = samples.map((s) => s.sort((a, b) => a - b)[Math.floor(s.length / 2)])
  const base = med[0]
  console.log(`\n## ${title}`)
  console.log(`| contender | ops/s | ${contenders[0].name} is … × faster |`)
  console.log('|---|---:|---:|')
  contenders.forEach((c, i) => console.log(`| ${c.name} | ${Math.round(med[i]).toLocaleString('en-US')} | ${i === 0 ? '—' : (base / med[i]).toFixed(2)} |`))
  return Object.fromEntries(contenders.map((c, i) => [c.name, med[i]]))
}

// ---- fixtures ----
const secretHex = crypto.randomBytes(32).toString('hex')
const secret = Buffer.from(secretHex, 'hex')
const secretKeyObject = crypto.createSecretKey(secret)
const now = Math.floor(Date.now() / 1000)
const claims = { sub: 'agent-7', aud: 'ati-proxy', iat: now, exp: now + 3600, scope: 'tool:github:* tool:web_search skill:research-*', iss: 'ati-orchestrator', jti: crypto.randomUUID(), ati: { v: 1, rate: { 'tool:github:*': '100/hour' } } }
const hsKey = w.Key.hs256Hex(secretHex)
const hsToken = w.issueToken(hsKey, claims)
const hsVerifier = new w.Verifier(hsKey, { algorithms: ['HS256'], issuer: 'ati-orchestrator' })
const fastHsVerify = createVerifier({ key: secret, algorithms: ['HS256'], cache: false, allowedAud: 'ati-proxy', allowedIss: 'ati-orchestrator' })
const fastHsSign = createSigner({ key: secret, algorithm: 'HS256', noTimestamp: true })
const joseHsKey = secretKeyObject

const edKey = w.Key.generateEd25519('ed-1')
const edToken = w.issueToken(edKey, claims)
const edVerifier = new w.Verifier(edKey.publicKey(), { algorithms: ['EdDSA'], issuer: 'ati-orchestrator' })
const edPublicJwk = JSON.parse(edKey.publicJwk())
const joseEdKey = await jose.importJWK(edPublicJwk, 'EdDSA')
const edPublicPem = crypto.createPublicKey({ key: edPublicJwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' })
const fastEdVerify = createVerifier({ key: edPublicPem, algorithms: ['EdDSA'], cache: false, allowedAud: 'ati-proxy' })

// sanity: everyone accepts the same tokens
for (const sub of [hsVerifier.verify(hsToken).sub, fastHsVerify(hsToken).sub, jwt.verify(hsToken, secretKeyObject).sub, (await jose.jwtVerify(hsToken, joseHsKey)).payload.sub, edVerifier.verify(edToken).sub, (await jose.jwtVerify(edToken, joseEdKey)).payload.sub, fastEdVerify(edToken).sub]) {
  if (sub !== 'agent-7') throw new Error('fixture mismatch')
}

console.log(`# Warden Node benchmarks — node ${process.version}, ${process.platform}/${process.arch}, ${ROUNDS} interleaved rounds of ${SLICE_MS} ms, median`)
console.log(`token: ${hsToken.length} bytes (HS256), ${edToken.length} bytes (EdDSA)`)

const hsv = await group('HS256 verify (+ read .sub)', [
  { name: 'warden', fn: () => hsVerifier.verify(hsToken).sub },
  { name: 'fast-jwt (cache off)', fn: () => fastHsVerify(hsToken).sub },
  { name: 'jose (jwtVerify, async)', isAsync: true, fn: async () => (await jose.jwtVerify(hsToken, joseHsKey, { algorithms: ['HS256'] })).payload.sub },
  { name: 'jsonwebtoken (createSecretKey)', fn: () => jwt.verify(hsToken, secretKeyObject, { algorithms: ['HS256'] }).sub },
  { name: 'jsonwebtoken (Buffer secret)', fn: () => jwt.verify(hsToken, secret, { algorithms: ['HS256'] }).sub },
])

const hss = await group('HS256 sign', [
  { name: 'warden', fn: () => w.issueToken(hsKey, claims) },
  { name: 'fast-jwt', fn: () => fastHsSign(claims) },
  { name: 'jose (SignJWT, async)', isAsync: true, fn: () => new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(joseHsKey) },
  { name: 'jsonwebtoken (createSecretKey)', fn: () => jwt.sign(claims, secretKeyObject, { algorithm: 'HS256' }) },
])

const edv = await group('EdDSA verify (+ read .sub)', [
  { name: 'warden', fn: () => edVerifier.verify(edToken).sub },
  { name: 'jose (jwtVerify, async)', isAsync: true, fn: async () => (await jose.jwtVerify(edToken, joseEdKey, { algorithms: ['EdDSA'] })).payload.sub },
  { name: 'fast-jwt (cache off)', fn: () => fastEdVerify(edToken).sub },
])

// ScopeSet.allows vs a plain-JS wildcard loop over the same 20 patterns (exact, `prefix:*` and
// partial `prefix*` wildcards). The JS loop is the usual hand-written matcher, with the
// wildcard prefixes precomputed once so it does not allocate per call. ScopeSet.allows
// remembers recent answers (the set is immutable), so the last case asks a new string every
// call to show the cost of the N-API crossing itself.
const patterns = []
for (let i = 0; i < 7; i++) patterns.push(`tool:svc${i}:*`)
for (let i = 0; i < 7; i++) patterns.push(`tool:exact_${i}`)
for (let i = 0; i < 6; i++) patterns.push(`skill:research-${i}*`)
const compiled = patterns.map((p) => (p.endsWith('*') ? { prefix: p.slice(0, -1), partial: !p.endsWith(':*') } : { exact: p }))
function jsAllows(required) {
  for (const c of compiled) {
    if (c.exact !== undefined) {
      if (c.exact === required) return true
    } else if (required.length > c.prefix.length && required.startsWith(c.prefix) && (!c.partial || required.indexOf(':', c.prefix.length) < 0)) return true
  }
  return false
}
const set = new w.ScopeSet(patterns)
const cases = {
  'hit, 1st pattern': 'tool:svc0:read',
  'hit, 10th pattern (exact)': 'tool:exact_2',
  'hit, 20th pattern': 'skill:research-5web',
  'miss (all 20 tried)': 'tool:other:read',
  'mix (5 scopes round-robin)': null,
  'a new scope string every call': undefined,
}
const mix = ['tool:svc3:x', 'tool:exact_6', 'skill:research-2a', 'tool:nope', 'help']
for (const s of [...Object.values(cases).filter(Boolean), ...mix, 'tool:svc8:r1', 'tool:svc3:r2']) {
  if (set.allows(s) !== jsAllows(s)) throw new Error(`matcher disagreement on ${s}`)
}
const scopeResults = {}
for (const [label, req] of Object.entries(cases)) {
  let k = 0
  const pick = req === null ? () => mix[k++ % 5] : req === undefined ? () => `tool:svc${k % 9}:r${k++}` : () => req
  scopeResults[label] = await group(`ScopeSet.allows vs plain-JS loop, 20 patterns: ${label}`, [
    { name: 'warden ScopeSet.allows', fn: () => set.allows(pick()) },
    { name: 'plain-JS wildcard loop', fn: () => jsAllows(pick()) },
  ])
}

const r = (a, b) => (a / b).toFixed(2)
console.log('\n## Targets (ratios from this run)')
console.log(`- HS256 verify: warden / fast-jwt = ${r(hsv.warden, hsv['fast-jwt (cache off)'])}× (target ≥ 2), / jose = ${r(hsv.warden, hsv['jose (jwtVerify, async)'])}×, / jsonwebtoken(createSecretKey) = ${r(hsv.warden, hsv['jsonwebtoken (createSecretKey)'])}×, / jsonwebtoken(Buffer) = ${r(hsv.warden, hsv['jsonwebtoken (Buffer secret)'])}×`)
console.log(`- EdDSA verify: warden / jose = ${r(edv.warden, edv['jose (jwtVerify, async)'])}× (target ≥ 2), / fast-jwt = ${r(edv.warden, edv['fast-jwt (cache off)'])}×`)
console.log(`- HS256 sign: warden / fast-jwt = ${r(hss.warden, hss['fast-jwt'])}×, / jose = ${r(hss.warden, hss['jose (SignJWT, async)'])}×, / jsonwebtoken = ${r(hss.warden, hss['jsonwebtoken (createSecretKey)'])}×`)
for (const [label, g] of Object.entries(scopeResults)) console.log(`- ScopeSet.allows / JS loop (${label}) = ${r(g['warden ScopeSet.allows'], g['plain-JS wildcard loop'])}× (target ≥ 1)`)
