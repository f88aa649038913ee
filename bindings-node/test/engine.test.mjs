// The engine API glue: Engine/Client/Guard conversions, error mapping (with `decision`), the
// Guard wrapper, fail-open under injected faults, waitForDecision off the event loop. Behaviour
// itself is covered by the engine vectors (vectors.test.mjs); these tests check the binding.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { setTimeout as sleep } from 'node:timers/promises'

const require = createRequire(import.meta.url)
const w = require('../dist/index.js')

const T0 = 1767225600000

function setup({ caps = ['tool:web_search', 'tool:db:*', 'tool:delete_file'], mode = 'open', engine } = {}) {
  const e = engine ?? new w.Engine({ seed: 7 }, T0)
  const client = w.Client.withEngine(e)
  const agent = client.createAgent({ name: 'bot', capabilities: caps })
  const session = client.initSession({ agent_id: agent.agent_id, server_id: 'srv', mode })
  return { engine: e, client, agent, session }
}

const DECISION_KEYS = [
  'check_id', 'allowed', 'code', 'reason', 'enforced', 'source', 'agent_id', 'session_id', 'tool', 'effect',
  'required_scope', 'matched_pattern', 'rule_id', 'approval_id', 'retry_after_ms', 'decided_at',
]

// ---- Engine and conversions ----

test('Engine: manual clock, advance, nowMs, jwks, strictMode', () => {
  const e = new w.Engine({ seed: 7, env: { WARDEN_STRICT_MODE: 'yes' } }, T0)
  assert.equal(e.manualClock, true)
  assert.equal(e.strictMode, true)
  assert.equal(e.nowMs(), T0)
  e.advance(1500)
  e.advance(10n)
  assert.equal(e.nowMs(), T0 + 1510)
  const jwks = JSON.parse(e.jwks())
  assert.ok(Array.isArray(jwks.keys) && jwks.keys.length >= 1)
  assert.deepStrictEqual(e.call('jwks'), jwks)
  assert.equal(new w.Engine({}, T0).strictMode, false)

  const sys = new w.Engine()
  assert.equal(sys.manualClock, false)
  assert.ok(Math.abs(sys.nowMs() - Date.now()) < 5000)
  assert.throws(() => sys.advance(1), (err) => err instanceof w.ValidationError)
  assert.throws(() => e.advance(1.5), w.ValidationError)
  assert.throws(() => new w.Engine({ no_such_option: 1 }), w.ValidationError)
  assert.throws(() => new w.Engine({ token_ttl_seconds: 0 }), w.ValidationError)
  assert.throws(() => new w.Engine(null, 'soon'), w.ValidationError)
})

test('seeded engines on a manual clock are deterministic', () => {
  const a = setup()
  const b = setup()
  assert.deepStrictEqual(a.agent, b.agent)
  assert.equal(a.session.session_id, b.session.session_id)
  assert.equal(a.engine.jwks(), b.engine.jwks())
})

test('results convert to plain JS values with wire names; ints stay numbers; null stays null', () => {
  const { client, agent } = setup()
  assert.equal(Object.getPrototypeOf(agent), Object.prototype)
  assert.equal(typeof agent.agent_id, 'string')
  assert.equal(agent.created_at, T0)
  assert.ok(Number.isInteger(agent.created_at))
  assert.equal(agent.revoked_at, null)
  assert.ok(Array.isArray(agent.capabilities))
  assert.deepStrictEqual(client.getAgent({ agent_id: agent.agent_id }), agent)
  // arguments: member order, nested objects, a BigInt within i64 is an integer
  const m = client.createAgent({ name: 'm', metadata: { z: '1', a: '2' }, capabilities: ['tool:a', 'tool:b'] })
  assert.deepStrictEqual(Object.keys(m.metadata), ['z', 'a'])
  assert.deepStrictEqual(m.capabilities, ['tool:a', 'tool:b'])
  const t = client.issueToken({ agent_id: m.agent_id, scopes: ['tool:a'], ttl_seconds: 600n })
  assert.equal(t.expires_at - T0, 600_000)
  assert.throws(() => client.issueToken({ agent_id: m.agent_id, scopes: ['tool:a'], ttl_seconds: 1.5 }), w.ValidationError)
  assert.throws(() => client.issueToken({ agent_id: m.agent_id, scopes: ['tool:a'], ttl_seconds: 2n ** 70n }), w.ValidationError)
  // typed wrappers are one-line calls: same result as the generic call (a fresh engine each)
  const viaTyped = setup().client.verifyChain()
  const viaCall = setup().client.call('verify_chain', {})
  assert.deepStrictEqual(viaTyped, viaCall)
})

test('bad arguments are ValidationError: unknown op, unknown member, NaN, functions, wrong types', () => {
  const { client, engine } = setup()
  assert.throws(() => client.call('no_such_op', {}), (e) => e instanceof w.ValidationError && e.decision === null)
  assert.throws(() => client.createAgent({ name: 'x', bogus: 1 }), w.ValidationError)
  assert.throws(() => client.createAgent({ name: NaN }), w.ValidationError)
  assert.throws(() => client.createAgent({ name: () => 1 }), w.ValidationError)
  assert.throws(() => client.call(42, {}), w.ValidationError)
  assert.throws(() => engine.call('create_agent', 'not an object'), w.ValidationError)
  assert.throws(() => client.getAgent({ agent_id: 'agt_nope' }), (e) => e instanceof w.WardenError && ['VALIDATION_ERROR', 'NOT_FOUND'].includes(e.code))
  assert.throws(() => client.check({ agent_id: 5, tool: 'x' }), w.ValidationError)
})

test('Client.local(): own engine on the system clock; Client.local(engine) shares state', () => {
  const own = w.Client.local()
  const a = own.createAgent({ name: 'solo' })
  assert.ok(Math.abs(a.created_at - Date.now()) < 5000)
  const e = new w.Engine({ seed: 1 }, T0)
  const c1 = w.Client.local(e)
  const c2 = w.Client.withEngine(e)
  const b = c1.createAgent({ name: 'shared' })
  assert.deepStrictEqual(c2.getAgent({ agent_id: b.agent_id }), b)
  assert.throws(() => own.getAgent({ agent_id: b.agent_id }), (err) => err.code === 'NOT_FOUND')
  assert.throws(() => w.Client.withEngine({}), w.ValidationError)
})

test('Client.check returns a typed Decision equal to the wire decision', () => {
  const { client, agent, session } = setup()
  const d = client.check({ agent_id: agent.agent_id, session_id: session.session_id, tool: 'db:query', input_summary: 'hi' })
  assert.ok(d instanceof w.Decision)
  assert.equal(d.allowed, true)
  assert.equal(d.effect, 'read')
  assert.equal(d.matchedPattern, 'tool:db:*')
  assert.equal(d.retryAfterMs, null)
  assert.equal(d.decidedAt, T0)
  const j = d.toJSON()
  assert.deepStrictEqual(Object.keys(j), DECISION_KEYS)
  // the raw wire decision of the same check (next check id) matches field for field
  const wire = client.call('check', { agent_id: agent.agent_id, session_id: session.session_id, tool: 'db:query', input_summary: 'hi' })
  assert.deepStrictEqual({ ...j, check_id: null }, { ...wire, check_id: null })
  assert.deepStrictEqual(Decision_roundtrip(j), j)
  assert.equal(JSON.stringify(d), JSON.stringify(j))
  // a denial is returned, not thrown, by Client.check
  const denied = client.check({ agent_id: agent.agent_id, session_id: session.session_id, tool: 'shell:exec' })
  assert.equal(denied.allowed, false)
  assert.equal(denied.code, 'ACTION_DENIED')
  // no session: session_id comes back null, as on the wire
  const noSession = client.check({ agent_id: agent.agent_id, tool: 'db:query' })
  assert.equal(noSession.sessionId, client.call('check', { agent_id: agent.agent_id, tool: 'db:query' }).session_id)
})

function Decision_roundtrip(j) {
  return w.Decision.fromJSON(j).toJSON()
}

// ---- errors ----

test('guard denials throw the class of decision.code carrying the decision', () => {
  const { client, agent } = setup()
  const g = new w.Guard(client, agent.agent_id, { flushTimer: false })
  let err
  try {
    g.check('shell:exec', 'rm -rf /')
  } catch (e) {
    err = e
  }
  assert.ok(err instanceof w.ActionDeniedError, String(err))
  assert.ok(err instanceof w.WardenError)
  assert.equal(err.code, 'ACTION_DENIED')
  assert.equal(err.reason, err.decision.reason)
  assert.deepStrictEqual(Object.keys(err.decision), DECISION_KEYS)
  assert.equal(err.decision.allowed, false)
  assert.equal(err.decision.tool, 'shell:exec')
  assert.equal(err.decision.agent_id, agent.agent_id)
  assert.equal(err.decision.session_id, g.sessionId)
  assert.equal(w.Decision.fromJSON(err.decision).code, 'ACTION_DENIED')
  // elevation: ElevationRequiredError with the approval id in the decision
  const sup = setup({ caps: ['tool:*'], mode: 'supervised' })
  const g2 = new w.Guard(sup.client, sup.agent.agent_id, { sessionId: sup.session.session_id, flushTimer: false })
  assert.throws(
    () => g2.check('delete_file'),
    (e) => e instanceof w.ElevationRequiredError && typeof e.decision.approval_id === 'string' && e.decision.code === 'ELEVATION_REQUIRED',
  )
  // errors that are not denials have no decision
  assert.throws(() => g.check('not a tool!'), (e) => e instanceof w.ValidationError && e.decision === null && e.reason === 'invalid_tool')
})

test('blockOnDeny: false returns the denial as a Decision', () => {
  const { client, agent } = setup()
  const g = new w.Guard(client, agent.agent_id, { blockOnDeny: false, flushTimer: false })
  const d = g.check('shell:exec')
  assert.ok(d instanceof w.Decision)
  assert.equal(d.allowed, false)
  assert.equal(d.enforced, true)
})

test('injected faults: fail-open only for reads, only for unreachability', () => {
  const { client, agent, session } = setup()
  const open = new w.Guard(client, agent.agent_id, { sessionId: session.session_id, failOpen: true, flushTimer: false })
  const closed = new w.Guard(client, agent.agent_id, { sessionId: session.session_id, flushTimer: false })
  for (const fault of ['network_error', 'timeout', 'http_500', 'http_503']) {
    client.setFault(fault)
    const d = open.check('db:query')
    assert.equal(d.allowed, true, fault)
    assert.equal(d.source, 'fail_open')
    assert.equal(d.reason, 'fail_open')
    // never above read
    assert.throws(() => open.check('delete_file'), (e) => e instanceof w.GuardianUnavailableError && e.reason === 'unreachable' && e.decision.source === 'guard')
    assert.throws(() => closed.check('db:query'), (e) => e instanceof w.GuardianUnavailableError && e.decision.allowed === false)
  }
  client.setFault('http_403')
  assert.throws(() => open.check('db:query'), (e) => e instanceof w.AuthDeniedError)
  assert.throws(() => client.getAgent({ agent_id: agent.agent_id }), (e) => e instanceof w.AuthDeniedError && e.details?.status === 403)
  client.setFault(null)
  assert.equal(open.check('db:query').source, 'engine')
  assert.throws(() => client.setFault('meteor_strike'), w.ValidationError)
  assert.throws(() => client.setFault(7), w.ValidationError)
})

// ---- Guard ----

test('Guard: options, session, report, stats, flush, close, dispose', () => {
  const { client, agent } = setup()
  assert.throws(() => new w.Guard(client, 'not-an-agent-id'), w.ValidationError)
  assert.throws(() => new w.Guard(client, agent.agent_id, { defaultEffect: 'explosive' }), w.ValidationError)
  assert.throws(() => new w.Guard(client, agent.agent_id, { blockOnDeny: 'yes' }), w.ValidationError)
  assert.throws(() => new w.Guard(client, agent.agent_id, { noSuchOption: true }), w.ValidationError)
  assert.throws(() => new w.Guard({}, agent.agent_id), w.ValidationError)
  const g = new w.Guard(client, agent.agent_id, { flushTimer: false, defaultEffect: 'read', logInputs: true })
  assert.equal(g.sessionId, null)
  const d = g.check('web_search', 'what is the weather')
  assert.equal(typeof g.sessionId, 'string')
  assert.equal(d.sessionId, g.sessionId)
  g.report('web_search', true, 12.9)
  g.report('web_search', false, 3, 'TypeError')
  g.report('bad tool!', true, 1)
  g.report('web_search', true, -1)
  g.report('web_search', true, NaN)
  g.report(42, true, 1)
  assert.deepStrictEqual(g.stats(), { buffered: 2, sent: 0, dropped: 0, invalid: 4, failedFlushes: 0 })
  g.flush()
  assert.deepStrictEqual(g.stats(), { buffered: 0, sent: 2, dropped: 0, invalid: 4, failedFlushes: 0 })
  // a failed flush puts the events back
  g.report('web_search', true, 1)
  client.setFault('network_error')
  g.flush()
  client.setFault(null)
  assert.equal(g.stats().failedFlushes, 1)
  assert.equal(g.stats().buffered, 1)
  g.close()
  assert.equal(g.stats().buffered, 0)
  g.close() // idempotent
  assert.throws(() => g.check('web_search'), (e) => e instanceof w.ValidationError && e.reason === 'guard_closed')
  const g2 = new w.Guard(client, agent.agent_id, { flushTimer: false })
  g2[Symbol.dispose]()
  assert.throws(() => g2.check('web_search'), (e) => e.reason === 'guard_closed')
  // the default flush timer runs on the core runtime and does not keep the process alive
  const g3 = new w.Guard(client, agent.agent_id)
  assert.equal(g3.check('web_search').allowed, true)
})

test('Guard.check effect argument and strict mode', () => {
  const { client, agent, session } = setup()
  const g = new w.Guard(client, agent.agent_id, { sessionId: session.session_id, flushTimer: false })
  assert.equal(g.check('db:query', '', 'destructive').effect, 'destructive')
  assert.throws(() => g.check('db:query', '', 'explosive'), w.ValidationError)
  assert.throws(() => g.check(undefined), w.ValidationError)
  assert.throws(() => g.check('db:query', 5), w.ValidationError)
  // monitoring agent: denial not enforced unless the guard is strict
  client.call('set_enforcement', { agent_id: agent.agent_id, enforcement: 'monitoring' })
  const d = g.check('shell:exec')
  assert.equal(d.allowed, false)
  assert.equal(d.enforced, false)
  const strict = new w.Guard(client, agent.agent_id, { sessionId: session.session_id, strictMode: true, flushTimer: false })
  assert.throws(() => strict.check('shell:exec'), (e) => e instanceof w.ActionDeniedError && e.decision.enforced === true)
})

test('guard.wrap: sync function, checks before and reports after with duration', () => {
  const { client, agent } = setup()
  const g = new w.Guard(client, agent.agent_id, { flushTimer: false })
  const reports = []
  const real = g.report.bind(g)
  g.report = (...a) => (reports.push(a), real(...a))
  const web_search = function (q) {
    const t = Date.now()
    while (Date.now() - t < 15) {} // busy 15 ms
    return `results for ${q} (${this?.tag})`
  }
  const wrapped = g.wrap(web_search)
  assert.equal(wrapped.call({ tag: 'T' }, 'cats'), 'results for cats (T)')
  assert.equal(reports.length, 1)
  const [tool, ok, ms, et] = reports[0]
  assert.equal(tool, 'web_search')
  assert.equal(ok, true)
  assert.ok(Number.isInteger(ms) && ms >= 14, `duration ${ms}`)
  assert.equal(et, null)
  assert.equal(g.stats().buffered, 1)

  // the function's own error is rethrown unchanged and reported with its class name
  class QuotaExceeded extends Error {}
  QuotaExceeded.prototype.name = 'QuotaExceeded'
  const boom = new QuotaExceeded('nope')
  const failing = g.wrap(() => {
    throw boom
  }, { tool: 'db:query' })
  assert.throws(() => failing(), (e) => e === boom)
  assert.deepStrictEqual(reports[1].slice(0, 2), ['db:query', false])
  assert.equal(reports[1][3], 'QuotaExceeded')
  assert.throws(() => g.wrap(() => { throw new TypeError('x') }, { tool: 'db:query' })(), TypeError)
  assert.equal(reports[2][3], 'TypeError')
})

test('guard.wrap: async function, reported when the promise settles', async () => {
  const { client, agent } = setup()
  const g = new w.Guard(client, agent.agent_id, { flushTimer: false })
  const reports = []
  g.report = (...a) => reports.push(a)
  const fetchRows = g.wrap(async (n) => {
    await sleep(30)
    return n * 2
  }, { tool: 'db:query', effect: 'read' })
  const p = fetchRows(21)
  assert.ok(p instanceof Promise)
  assert.equal(reports.length, 0)
  assert.equal(await p, 42)
  assert.equal(reports.length, 1)
  assert.equal(reports[0][1], true)
  assert.ok(reports[0][2] >= 25, `duration ${reports[0][2]}`)
  const err = new RangeError('bad')
  await assert.rejects(g.wrap(async () => { await sleep(1); throw err }, { tool: 'db:query' })(), (e) => e === err)
  assert.deepStrictEqual([reports[1][1], reports[1][3]], [false, 'RangeError'])
})

test('guard.wrap: a denial throws before the function runs, whatever blockOnDeny', async () => {
  const { client, agent } = setup()
  for (const blockOnDeny of [true, false]) {
    const g = new w.Guard(client, agent.agent_id, { blockOnDeny, flushTimer: false })
    let ran = 0
    const reports = []
    g.report = (...a) => reports.push(a)
    const exec = g.wrap(() => ++ran, { tool: 'shell:exec' })
    assert.throws(() => exec(), (e) => e instanceof w.ActionDeniedError && e.decision.tool === 'shell:exec' && e.decision.allowed === false)
    const aexec = g.wrap(async () => ++ran, { tool: 'shell:exec' })
    assert.throws(() => aexec(), w.ActionDeniedError)
    assert.equal(ran, 0)
    assert.equal(reports.length, 0)
  }
  // tool name: default = the function's name, validated when wrapping
  const g = new w.Guard(client, agent.agent_id, { flushTimer: false })
  assert.throws(() => g.wrap(() => 1), w.ValidationError) // anonymous arrow: name ''
  assert.throws(() => g.wrap(function ok() {}, { tool: 'bad name' }), w.ValidationError)
  assert.throws(() => g.wrap(function ok() {}, { effect: 'explosive' }), w.ValidationError)
  assert.throws(() => g.wrap('not a function'), w.ValidationError)
  // fail-open applies to wrapped reads under an injected fault
  const fo = new w.Guard(client, agent.agent_id, { failOpen: true, flushTimer: false })
  fo.check('db:query') // opens the session while reachable
  client.setFault('timeout')
  try {
    assert.equal(fo.wrap(function list_rows() { return 'rows' })(), 'rows')
    assert.throws(() => fo.wrap(function delete_rows() { return 'gone' })(), w.GuardianUnavailableError)
  } finally {
    client.setFault(null)
  }
})

// ---- waitForDecision ----

test('waitForDecision does not block the event loop and resolves when approved', async () => {
  const { client, agent, session } = setup({ caps: ['tool:*'], mode: 'supervised', engine: new w.Engine({}) })
  const d = client.check({ agent_id: agent.agent_id, session_id: session.session_id, tool: 'delete_file' })
  assert.equal(d.code, 'ELEVATION_REQUIRED')
  const d2 = client.check({ agent_id: agent.agent_id, session_id: session.session_id, tool: 'drop_table' })
  let ticks = 0
  const timer = setInterval(() => ticks++, 5)
  try {
    const started = performance.now()
    const waits = [
      client.waitForDecision({ approval_id: d.approvalId, timeout_seconds: 30 }),
      client.waitForDecision({ approval_id: d2.approvalId, timeout_seconds: 30 }),
    ]
    assert.ok(waits[0] instanceof Promise)
    await sleep(150)
    const ticksWhileWaiting = ticks
    assert.ok(ticksWhileWaiting >= 5, `the event loop ran ${ticksWhileWaiting} times`)
    client.approve({ approval_id: d.approvalId, decided_by: 'alice' })
    client.deny({ approval_id: d2.approvalId, decided_by: 'bob' })
    const [a, b] = await Promise.all(waits)
    assert.equal(a.status, 'approved')
    assert.equal(a.decided_by, 'alice')
    assert.equal(b.status, 'denied')
    assert.ok(performance.now() - started < 10000)
  } finally {
    clearInterval(timer)
  }
})

test('waitForDecision rejects with typed errors (timeout, manual clock, bad arguments)', async () => {
  const sys = setup({ caps: ['tool:*'], mode: 'supervised', engine: new w.Engine({}) })
  const d = sys.client.check({ agent_id: sys.agent.agent_id, session_id: sys.session.session_id, tool: 'delete_file' })
  await assert.rejects(sys.client.waitForDecision({ approval_id: d.approvalId, timeout_seconds: 0 }), (e) => e instanceof w.TimeoutError && e.reason === 'wait_timeout')
  const man = setup({ caps: ['tool:*'], mode: 'supervised' })
  const dm = man.client.check({ agent_id: man.agent.agent_id, session_id: man.session.session_id, tool: 'delete_file' })
  await assert.rejects(man.client.waitForDecision({ approval_id: dm.approvalId }), w.TimeoutError)
  man.client.approve({ approval_id: dm.approvalId, decided_by: 'alice' })
  assert.equal((await man.client.waitForDecision({ approval_id: dm.approvalId })).status, 'approved')
  await assert.rejects(man.client.waitForDecision({ approval_id: 'apr_nope' }), (e) => e instanceof w.WardenError && e.code !== 'INTERNAL')
  await assert.rejects(man.client.waitForDecision({ approval_id: dm.approvalId, timeout_seconds: 99999 }), w.ValidationError)
  await assert.rejects(man.client.waitForDecision({ approval_id: dm.approvalId, extra: 1 }), w.ValidationError)
  await assert.rejects(man.client.waitForDecision({ approval_id: NaN }), w.ValidationError)
  man.client.setFault('network_error')
  await assert.rejects(man.client.waitForDecision({ approval_id: dm.approvalId }), w.NetworkError)
  man.client.setFault(null)
})

// ---- pure functions ----

test('pure functions: resolveEffect, toolWords, summarizeInput, verifyAuditExport', () => {
  assert.equal(w.resolveEffect('getUser'), 'read')
  assert.equal(w.resolveEffect('getUser', 'admin'), 'admin')
  assert.equal(w.resolveEffect('frobnicate'), 'mutating')
  assert.throws(() => w.resolveEffect('bad tool'), (e) => e instanceof w.ValidationError && e.reason === 'invalid_tool')
  assert.throws(() => w.resolveEffect('x', 'explosive'), w.ValidationError)
  assert.throws(() => w.resolveEffect(5), w.ValidationError)
  assert.deepStrictEqual(w.toolWords('getHTTPResponse'), ['get', 'http', 'response'])
  assert.equal(w.summarizeInput(''), '')
  assert.equal(w.summarizeInput('h\u00e9llo 😀'), '[7 chars]')
  assert.equal(w.summarizeInput('x'.repeat(300), true), 'x'.repeat(200))
  assert.equal(w.summarizeInput('\ud800'), '[1 chars]')
  assert.throws(() => w.summarizeInput('x', 'yes'), w.ValidationError)

  const { client, agent, session } = setup()
  client.check({ agent_id: agent.agent_id, session_id: session.session_id, tool: 'db:query' })
  const jsonl = client.exportAudit()
  assert.equal(typeof jsonl, 'string')
  const ok = w.verifyAuditExport(jsonl)
  assert.equal(ok.ok, true)
  assert.ok(ok.checked >= 3)
  assert.deepStrictEqual(client.verifyChain(), { ok: true, checked: ok.checked, first_broken_seq: null })
  const lines = jsonl.split('\n')
  lines[1] = lines[1].replace('"at":', '"at":1').replace(/"hash":"./, '"hash":"0')
  const bad = w.verifyAuditExport(lines.join('\n'))
  assert.equal(bad.ok, false)
  assert.equal(bad.first_broken_seq, 2)
})
