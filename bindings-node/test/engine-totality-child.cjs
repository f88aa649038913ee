// Child of totality.test.mjs: random and hostile values into every engine entry point (Engine,
// Client and its typed methods, Guard, wrap, the pure functions), seeded. Exits non-zero on a
// non-Warden error or an INTERNAL one; a crash kills it (the parent reports the signal).
const w = require('../dist/index.js')

let seed = 0x2545f491
function rnd(n) {
  seed ^= seed << 13
  seed ^= seed >>> 17
  seed ^= seed << 5
  return (seed >>> 0) % n
}

const engine = new w.Engine({ seed: 3 }, 1767225600000)
const client = w.Client.withEngine(engine)
const agent = client.createAgent({ name: 'fuzz', capabilities: ['tool:*'] })
const session = client.initSession({ agent_id: agent.agent_id, server_id: 's', mode: 'supervised' })
const guard = new w.Guard(client, agent.agent_id, { flushTimer: false, failOpen: true })

const OPS = [
  'create_agent', 'get_agent', 'list_agents', 'revoke_agent', 'set_enforcement', 'issue_token', 'introspect_token',
  'revoke_token', 'init_session', 'init_token_session', 'init_delegation_session', 'get_session', 'close_session',
  'check', 'set_policy', 'get_policy', 'approve', 'deny', 'get_approval', 'list_approvals', 'wait_for_decision',
  'create_delegation', 'revoke_delegation', 'get_delegation', 'list_delegations', 'delegation_token', 'query_audit',
  'verify_chain', 'export_audit', 'record_telemetry', 'jwks', 'nope',
]
const NAMES = [
  'agent_id', 'session_id', 'name', 'capabilities', 'tool', 'effect', 'scopes', 'token', 'approval_id', 'delegation_id',
  'from_agent_id', 'to_agent_id', 'mode', 'server_id', 'ttl_seconds', 'timeout_seconds', 'rules', 'events', 'workspace',
  'limit', 'cursor', 'metadata', 'rate', 'decided_by', '__proto__', 'sessionId', 'blockOnDeny', 'failOpen',
  'defaultEffect', 'strictMode', 'flushTimer', 'seed', 'env',
]
function randStr() {
  const pieces = ['', 'a', ':', '*', ' ', '\u0000', '\ud800', '😀', 'tool:', 'agt_', 'ses_', 'apr_', 'read', 'admin',
    agent.agent_id, session.session_id, 'x'.repeat(300), 'open', 'supervised', 'network_error']
  let s = ''
  for (let i = rnd(5); i > 0; i--) s += pieces[rnd(pieces.length)]
  if (rnd(20) === 0) s = 'a'.repeat(200_000)
  return s
}
function randValue(depth = 0) {
  switch (rnd(depth > 3 ? 9 : 13)) {
    case 0: return undefined
    case 1: return null
    case 2: return rnd(2) === 0
    case 3: return [0, -1, 1.5, NaN, Infinity, 2 ** 53, 2 ** 64, -0, 3600, 1e300][rnd(10)]
    case 4: return [0n, -1n, 2n ** 64n][rnd(3)]
    case 5: case 6: return randStr()
    case 7: return Symbol('s')
    case 8: return () => 1
    case 9: case 10: return Array.from({ length: rnd(4) }, () => randValue(depth + 1))
    default: {
      const o = {}
      for (let i = rnd(5); i > 0; i--) o[NAMES[rnd(NAMES.length)]] = randValue(depth + 1)
      return o
    }
  }
}
const TYPED = ['createAgent', 'getAgent', 'revokeAgent', 'issueToken', 'introspectToken', 'revokeToken', 'initSession',
  'check', 'approve', 'deny', 'getApproval', 'listApprovals', 'createDelegation', 'revokeDelegation', 'delegationToken',
  'setPolicy', 'queryAudit', 'verifyChain', 'exportAudit']

const entry = [
  (a) => client.call(OPS[rnd(OPS.length)], a),
  (a, b) => client.call(a, b),
  (a) => engine.call(OPS[rnd(OPS.length)], a),
  (a) => client[TYPED[rnd(TYPED.length)]](a),
  (a, b) => new w.Engine(a, b),
  (a) => engine.advance(a),
  (a, b, c) => new w.Guard(client, a, b),
  (a) => new w.Guard(client, agent.agent_id, a),
  (a, b, c) => guard.check(a, b, c),
  (a, b, c) => guard.check(rnd(2) ? 'db:query' : 'delete_file', b, c),
  (a, b, c) => guard.report(a, b, c, randValue()),
  (a) => guard.wrap(() => a, { tool: a })(),
  (a, b) => guard.wrap(function read_it() { return b }, a)(),
  (a, b) => w.resolveEffect(a, b),
  (a) => w.toolWords(a),
  (a, b) => w.summarizeInput(a, b),
  (a) => w.verifyAuditExport(a),
  (a) => w.verifyAuditExport(client.exportAudit().replace(/[0-9a-f]/, typeof a === 'string' ? a.slice(0, 1) : 'f')),
  (a) => w.Decision.fromJSON(a ?? {}).toJSON(),
  (a) => w.Client.withEngine(a),
]
async function main() {
  let calls = 0
  for (let round = 0; round < 400; round++) {
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
    // wait_for_decision with random arguments settles (manual clock: never waits)
    try {
      await client.waitForDecision(randValue())
    } catch (e) {
      if (!(e instanceof w.WardenError) || e.code === 'INTERNAL') {
        console.error('bad rejection from waitForDecision', e)
        process.exit(5)
      }
    }
  }
  guard.close()
  console.log(`calls=${calls} ok`)
}
main()
