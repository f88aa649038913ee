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

// ---- the engine, the client, the guard ----
import {
  Client,
  Decision,
  ElevationRequiredError,
  Engine,
  Guard,
  resolveEffect,
  summarizeInput,
  toolWords,
  verifyAuditExport,
  type Approval,
  type Effect,
  type GuardStats,
} from '../dist/index.js'

const engine = new Engine({ seed: 7, approval_ttl_seconds: 600 }, Date.UTC(2026, 0, 1))
engine.advance(1000)
const nowMs: number = engine.nowMs()
const wardenClient: Client = Client.local(engine)
const bot = wardenClient.createAgent({ name: 'bot', capabilities: ['tool:*'] })
const ses = wardenClient.initSession({ agent_id: bot.agent_id, server_id: 'srv', mode: 'supervised' })
const decision: Decision = wardenClient.check({ agent_id: bot.agent_id, session_id: ses.session_id, tool: 'delete_file' })
const wire: { check_id: string; approval_id: string | null } = decision.toJSON()
if (decision.approvalId !== null) {
  wardenClient.approve({ approval_id: decision.approvalId, decided_by: 'alice@example.com' })
  const approval: Promise<Approval> = wardenClient.waitForDecision({ approval_id: decision.approvalId, timeout_seconds: 60 })
  void approval
}
wardenClient.setFault('network_error')
wardenClient.setFault(null)

const guard = new Guard(wardenClient, bot.agent_id, { failOpen: true, defaultEffect: 'read', flushTimer: false })
try {
  const d: Decision = guard.check('web_search', 'what is the weather')
  const effect: Effect | null = d.effect
  console.log(effect, d.allowed, guard.sessionId)
} catch (e) {
  if (e instanceof ElevationRequiredError) console.log(e.decision?.approval_id)
}
const search = guard.wrap(async function web_search(q: string): Promise<string[]> {
  return [q]
})
const results: Promise<string[]> = search('cats')
const sum = guard.wrap((a: number, b: number): number => a + b, { tool: 'calc:add', effect: 'read' })
const three: number = sum(1, 2)
guard.report('web_search', true, 12)
const stats: GuardStats = guard.stats()
guard.close()
const eff: Effect = resolveEffect('deleteUser')
const words: string[] = toolWords('getHTTPResponse')
const summary: string = summarizeInput('secret input', false)
const chainOk: boolean = verifyAuditExport(wardenClient.exportAudit()).ok
console.log(nowMs, wire, results, three, stats, eff, words, summary, chainOk)

// ---- a gateway: Client.connect gives a RemoteClient; everything that talks to it is a Promise ----
import { RemoteClient, GuardianUnavailableError, type AnyClient, type ConnectOptions } from '../dist/index.js'

async function overGateway(url: string, apiKey: string): Promise<void> {
  const options: ConnectOptions = { timeoutMs: 5000, retries: 1 }
  const gw: RemoteClient = Client.connect(url, apiKey, options)
  const isRemote: true = gw.isRemote
  const agent = await gw.createAgent({ name: 'bot', capabilities: ['tool:web_search'] })
  const d: Decision = await gw.check({ agent_id: agent.agent_id, tool: 'web_search' })
  const g = new Guard(gw, agent.agent_id, { failOpen: true })
  const checked: Promise<Decision> = g.check('web_search', 'q')
  const wrapped: (q: string) => Promise<number> = g.wrap((q: string): number => q.length, { tool: 'web_search' })
  const n: number = await wrapped('cats')
  const reported: Promise<void> = g.report('web_search', true, 3)
  try {
    await checked
  } catch (e) {
    if (e instanceof GuardianUnavailableError) console.log(e.decision)
  }
  await reported
  await g.close()
  // code for either kind of client awaits every guard call
  const any = async (c: AnyClient, agentId: string): Promise<Decision> => {
    const ag = new Guard(c, agentId)
    return ag.checkAsync('web_search')
  }
  console.log(isRemote, d, n, await any(gw, agent.agent_id))
}
void overGateway
