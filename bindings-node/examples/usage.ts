// Type-checked by `make test` (tsc --noEmit): the public API as a TypeScript user sees it.
import {
  Claims,
  Key,
  KeySet,
  Orchestrator,
  RateSpec,
  ScopeSet,
  TokenExpiredError,
  Verifier,
  WardenError,
  buildScopeString,
  checkScope,
  errorCodes,
  inspectToken,
  issueToken,
  sessionTokenFromEnv,
  validateToken,
  type ErrorCode,
  type SandboxEnv,
  type VerifierOptions,
} from '../dist/index.js'

const secret: string = 'ab'.repeat(32)

// ATI shortcuts
const token: string = issueToken(secret, { sub: 'agent-1', scope: 'tool:github:* skill:research-*', ttlSeconds: 600, rate: { 'tool:github:*': '100/hour' } })
const claims: Claims = validateToken(token, secret, { issuer: 'ati-orchestrator' })
const sub: string | undefined = claims.sub
const exp: number | undefined = claims.exp
const limits: Record<string, { count: number; windowSeconds: number }> = claims.rateLimits
const allowed: boolean = claims.allows('tool:github:search')
const payload: Record<string, unknown> = claims.toJSON()

// keys, key sets, verifier
const ed: Key = Key.generateEd25519('ed-1')
const signed: string = issueToken(ed, { sub: 'agent-1', aud: 'warden', exp: 2_000_000_000, scope: 'help', job_id: 'j-1', big: 10n ** 30n })
const options: VerifierOptions = { algorithms: ['EdDSA'], audience: 'warden', leewaySeconds: 30 }
const verifier = new Verifier(new KeySet([ed.publicKey()]), options)
try {
  const c = verifier.verify(signed)
  const extra: Record<string, unknown> = c.extra
  console.log(c.scopes, extra)
} catch (e) {
  if (e instanceof TokenExpiredError) console.log(e.details)
  else if (e instanceof WardenError) {
    const code: ErrorCode = e.code
    console.log(code, e.reason)
  }
}
async function remote(): Promise<KeySet> {
  return KeySet.fetch('https://issuer.example/.well-known/jwks.json', 300)
}

// scopes and rates
const set = new ScopeSet(['tool:github:*', 'skill:research-*'])
const ok: boolean = set.allows('tool:github:search') && checkScope('help', ['*'])
const scope: string = buildScopeString(['github'], ['research'], ['help'])
const rate: RateSpec = RateSpec.parse('10/hour')
const windowSeconds: number = rate.windowSeconds

// provisioning
const env: SandboxEnv = new Orchestrator('http://proxy:8080', secret).provisionSandbox('agent-9', { tools: ['github'], ttlSeconds: 900 })
const fromEnv: () => string = () => sessionTokenFromEnv()
const codes: string[] = errorCodes()

void [sub, exp, limits, allowed, payload, ok, scope, windowSeconds, env, fromEnv, codes, remote, inspectToken]
