// Child of totality.test.mjs: hammers the public API with random values (seeded).
const w = require('../dist/index.js')

let seed = 0x9e3779b9
function rnd(n) {
  seed ^= seed << 13
  seed ^= seed >>> 17
  seed ^= seed << 5
  return (seed >>> 0) % n
}
const SECRET = 'ab'.repeat(32)
const key = w.Key.hs256Hex(SECRET)
const good = w.issueToken(SECRET, { sub: 'a', scope: 'tool:a', now: 1790000000 })
function randStr() {
  const pieces = ['', 'a', '.', '*', ':', ' ', '\u0000', '\ud800', '😀', 'tool:', 'eyJ', '==', '-', '_', '%', '\u00e9', 'x'.repeat(300), good, good.slice(0, 40)]
  let s = ''
  const n = rnd(6)
  for (let i = 0; i < n; i++) s += pieces[rnd(pieces.length)]
  if (rnd(10) === 0) s = 'a'.repeat(rnd(3) === 0 ? 2_000_000 : 9000)
  return s
}
function randValue(depth = 0) {
  switch (rnd(depth > 3 ? 9 : 13)) {
    case 0: return undefined
    case 1: return null
    case 2: return rnd(2) === 0
    case 3: return [0, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 64, -0, 86400, 1790000000][rnd(11)]
    case 4: return [0n, -1n, 2n ** 64n, -(2n ** 200n)][rnd(4)]
    case 5: case 6: return randStr()
    case 7: return Symbol('s')
    case 8: return () => 1
    case 9: case 10: return Array.from({ length: rnd(4) }, () => randValue(depth + 1))
    default: {
      const o = {}
      const names = ['sub', 'aud', 'iat', 'exp', 'nbf', 'jti', 'iss', 'scope', 'ati', 'rate', 'ttl_seconds', 'ttlSeconds', 'algorithms', 'now', 'tools', '__proto__', 'v', randStr()]
      for (let i = rnd(5); i > 0; i--) o[names[rnd(names.length)]] = randValue(depth + 1)
      return o
    }
  }
}
const verifier = new w.Verifier(key, { algorithms: ['HS256', 'EdDSA'] })
const set = new w.ScopeSet(['tool:a:*'])
const orch = new w.Orchestrator('http://p', SECRET)
const ed = w.Key.generateEd25519('e')
const entry = [
  (a, b, c) => w.issueToken(a, b),
  (a, b, c) => w.issueToken(key, a, b),
  (a, b, c) => w.issueToken(SECRET, a),
  (a, b, c) => w.validateToken(a, b, c),
  (a, b, c) => w.validateToken(good, SECRET, a),
  (a) => w.inspectToken(a),
  (a) => verifier.verify(a),
  (a) => { const c = verifier.verify(good); return [c.sub, c.extra, c.get(a), c.allows(a), c.toJSON()] },
  (a, b) => new w.Verifier(key, a),
  (a, b) => new w.Verifier(a, b),
  (a) => w.Key.hs256Hex(a),
  (a, b) => w.Key.fromJwk(a),
  (a, b) => w.Key.fromPem(a, b),
  (a) => w.Key.hs256Bytes(a),
  (a) => w.KeySet.fromJwks(a),
  (a) => new w.KeySet(a),
  (a) => w.parseScopes(a),
  (a) => w.isValidScope(a),
  (a, b, c) => w.buildScopeString(a, b, c),
  (a, b) => w.checkScope(a, b),
  (a, b) => w.matchesWildcard(a, b),
  (a, b) => w.covers(a, b),
  (a) => new w.ScopeSet(a),
  (a) => set.allows(a),
  (a) => set.covers(a),
  (a) => w.RateSpec.parse(a),
  (a, b) => orch.provisionSandbox(a, b),
  (a, b, c) => new w.Orchestrator(a, b, c),
  (a) => w.sessionTokenFromEnv(a),
  (a) => new w.Claims(a),
  (a) => w.Claims.parse(a),
  (a, b) => w.issueToken(ed, a, b),
]
let calls = 0
for (let round = 0; round < 600; round++) {
  for (const f of entry) {
    const args = [randValue(), randValue(), randValue()]
    if (rnd(3) === 0) args[0] = randStr()
    calls++
    try {
      f(...args)
    } catch (e) {
      if (!(e instanceof w.WardenError)) {
        console.error('non-Warden error from', String(f), e)
        process.exit(3)
      }
      if (e.code === 'INTERNAL') {
        console.error('INTERNAL from', String(f), e)
        process.exit(4)
      }
    }
  }
}
console.log(`calls=${calls} ok`)
