// Client.connect against the real gateway binary (crate warden-gateway, started here in test mode
// on a temporary SQLite file): RemoteClient calls as Promises, HTTP errors as typed errors, the
// Guard and guard.wrap over a remote client, the event loop staying free during a remote call,
// and an unreachable gateway (NETWORK_ERROR, fail-open for reads only).
//
// `make test` builds the binary (`cargo build -p warden-gateway`) and passes its path in
// $WARDEN_GATEWAY_BIN; without it the workspace debug build is used. A missing binary fails.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { setTimeout as sleep } from 'node:timers/promises'

const require = createRequire(import.meta.url)
const w = require('../dist/index.js')

const HERE = path.dirname(new URL(import.meta.url).pathname)
const BIN = process.env.WARDEN_GATEWAY_BIN || path.join(HERE, '..', '..', 'target', 'debug', 'warden-gateway')
const KEY = 'wk_node_gateway_test_key_0123456789abcdef'
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-node-gw-'))
const DECISION_KEYS = [
  'check_id', 'allowed', 'code', 'reason', 'enforced', 'source', 'agent_id', 'session_id', 'tool', 'effect',
  'required_scope', 'matched_pattern', 'rule_id', 'approval_id', 'retry_after_ms', 'decided_at',
]

const children = new Set()
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL')
})

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.unref()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

/** Starts `warden-gateway serve --test-mode` on a fresh SQLite file; resolves once it listens. */
async function startGateway(name) {
  assert.ok(fs.existsSync(BIN), `the gateway binary ${BIN} is missing (make -C bindings-node test builds it)`)
  const port = await freePort()
  const db = path.join(TMP, `${name}.db`)
  const env = { ...process.env, WARDEN_BOOTSTRAP_KEY: KEY }
  delete env.WARDEN_STRICT_MODE
  const child = spawn(BIN, ['serve', '--test-mode', '--quiet', '--key-rate', '0', '--db', db, '--listen', `127.0.0.1:${port}`], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  children.add(child)
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  let log = ''
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gateway did not start in 30 s:\n${log}`)), 30_000)
    child.stderr.on('data', (b) => {
      log += b
      if (log.includes('"listening"')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the gateway exited with ${code}:\n${log}`))
    })
  })
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
      children.delete(child)
    },
  }
}

let gw
before(async () => {
  gw = await startGateway('main')
})
after(async () => {
  await gw?.stop()
  fs.rmSync(TMP, { recursive: true, force: true })
})

let agents = 0
/** A fresh agent name (the tests share one gateway; names are unique per workspace). */
const agentName = () => `bot-${++agents}`

async function setupRemote({ caps = ['tool:web_search', 'tool:db:*'], mode = 'open' } = {}) {
  const client = w.Client.connect(gw.url, KEY, { timeoutMs: 10_000 })
  const agent = await client.createAgent({ name: agentName(), capabilities: caps })
  const session = await client.initSession({ agent_id: agent.agent_id, server_id: 'srv', mode })
  return { client, agent, session }
}

test('Client.connect gives a RemoteClient whose calls are Promises (createAgent, initSession, check)', async () => {
  const client = w.Client.connect(gw.url, KEY)
  assert.ok(client instanceof w.RemoteClient)
  assert.equal(client.isRemote, true)
  assert.equal(client.url, gw.url)
  assert.equal(w.Client.local().isRemote, false)

  const name = agentName()
  const pending = client.createAgent({ name, capabilities: ['tool:web_search', 'tool:db:*'] })
  assert.ok(pending instanceof Promise)
  const agent = await pending
  assert.match(agent.agent_id, /^agt_/)
  assert.equal(agent.name, name)
  assert.deepStrictEqual(agent.capabilities, ['tool:web_search', 'tool:db:*'])
  assert.deepStrictEqual(await client.getAgent({ agent_id: agent.agent_id }), agent)

  const session = await client.initSession({ agent_id: agent.agent_id, server_id: 'srv', mode: 'open' })
  assert.match(session.session_id, /^ses_/)
  const d = await client.check({ agent_id: agent.agent_id, session_id: session.session_id, tool: 'web_search', input_summary: 'q' })
  assert.ok(d instanceof w.Decision)
  assert.equal(d.allowed, true)
  assert.equal(d.code, 'ALLOW')
  assert.equal(d.agentId, agent.agent_id)
  assert.equal(d.sessionId, session.session_id)
  assert.deepStrictEqual(Object.keys(d.toJSON()), DECISION_KEYS)
  // a denial is a Decision, not a rejection
  const denied = await client.check({ agent_id: agent.agent_id, session_id: session.session_id, tool: 'shell:exec' })
  assert.equal(denied.allowed, false)
  assert.notEqual(denied.code, 'ALLOW')
  // the generic call and the audit chain over the gateway
  const agents = await client.call('list_agents', { workspace: 'default' })
  assert.ok(agents.items.some((a) => a.agent_id === agent.agent_id))
  assert.equal((await client.verifyChain()).ok, true)
  assert.equal(typeof (await client.exportAudit()), 'string')
  // the injected-fault test hook works on a remote client too (nothing is sent)
  client.setFault('http_503')
  await assert.rejects(client.getAgent({ agent_id: agent.agent_id }), (e) => e instanceof w.GuardianUnavailableError && e.details?.status === 503)
  client.setFault(null)
  assert.equal((await client.getAgent({ agent_id: agent.agent_id })).agent_id, agent.agent_id)
  assert.ok(Math.abs(client.nowMs() - Date.now()) < 60_000)
})

test('HTTP error answers become typed errors (NOT_FOUND, AUTH_FAILED, VALIDATION_ERROR)', async () => {
  const client = w.Client.connect(gw.url, KEY)
  // a well-formed agent id the gateway has never seen
  const stranger = w.Client.withEngine(new w.Engine({ seed: 99 }, 1767225600000)).createAgent({ name: 'x' })
  await assert.rejects(
    client.getAgent({ agent_id: stranger.agent_id }),
    (e) => e instanceof w.NotFoundError && e.code === 'NOT_FOUND',
  )
  const wrong = w.Client.connect(gw.url, 'wk_not_the_right_key_0123456789abcdef')
  await assert.rejects(
    wrong.createAgent({ name: agentName() }),
    (e) => e instanceof w.AuthFailedError && e.code === 'AUTH_FAILED',
  )
  await assert.rejects(wrong.check({ agent_id: stranger.agent_id, tool: 'web_search' }), w.AuthFailedError)
  await assert.rejects(client.createAgent({ name: agentName(), no_such_member: 1 }), w.ValidationError)
  const taken = agentName()
  await client.createAgent({ name: taken })
  await assert.rejects(client.createAgent({ name: taken }), (e) => e instanceof w.ConflictError && e.code === 'CONFLICT')
  await assert.rejects(client.call('no_such_op', {}), w.ValidationError)
  // bad connect arguments are ValidationErrors at once (nothing is sent by connect)
  for (const bad of [
    () => w.Client.connect('ftp://127.0.0.1:1', KEY),
    () => w.Client.connect('not a url', KEY),
    () => w.Client.connect(gw.url, ''),
    () => w.Client.connect(gw.url, 7),
    () => w.Client.connect(gw.url, KEY, { timeout: 5 }),
    () => w.Client.connect(gw.url, KEY, { timeoutMs: 'soon' }),
    () => w.Client.connect(gw.url, KEY, { retries: 99 }),
    () => w.Client.connect(gw.url, KEY, { caPem: 'not pem' }),
    () => w.Client.connect(gw.url, KEY, { clientCertPem: '-----BEGIN CERTIFICATE-----' }),
    () => w.Client.connect(gw.url, KEY, 'options'),
  ]) {
    assert.throws(bad, w.ValidationError)
  }
  assert.equal(w.Client.connect(gw.url, KEY, { timeoutMs: 1000, connectTimeoutMs: 500, retries: 0, caPem: null }).isRemote, true)
})

test('Guard over a remote client: check/report/flush/close are Promises, wrap is async', async () => {
  const { client, agent } = await setupRemote()
  const guard = new w.Guard(client, agent.agent_id, { flushTimer: false })
  assert.equal(guard.isRemote, true)
  assert.equal(new w.Guard(w.Client.local(), agent.agent_id, { flushTimer: false }).isRemote, false)
  assert.equal(guard.sessionId, null)

  const pending = guard.check('web_search', 'what is warden')
  assert.ok(pending instanceof Promise)
  const d = await pending
  assert.ok(d instanceof w.Decision)
  assert.equal(d.allowed, true)
  assert.equal(d.source, 'engine')
  assert.match(guard.sessionId, /^ses_/) // the guard opened its session through the gateway
  assert.equal(d.sessionId, guard.sessionId)
  assert.equal((await guard.checkAsync('db:query')).allowed, true)

  // an enforced denial rejects with the class of its code, carrying the decision
  await assert.rejects(guard.check('shell:exec'), (e) => {
    assert.ok(e instanceof w.ActionDeniedError)
    assert.equal(e.decision.tool, 'shell:exec')
    assert.equal(e.decision.allowed, false)
    assert.deepStrictEqual(Object.keys(e.decision), DECISION_KEYS)
    return true
  })
  await assert.rejects(guard.check('not a tool!'), (e) => e instanceof w.ValidationError && e.reason === 'invalid_tool')

  // wrap: the wrapper is async for any fn; checked first, then fn, then reported
  const search = guard.wrap(async function web_search(q) {
    await sleep(5)
    return `results for ${q}`
  })
  const r = search('x')
  assert.ok(r instanceof Promise)
  assert.equal(await r, 'results for x')
  assert.equal(await guard.wrap(function db_query() { return 7 }, { tool: 'db:query' })(), 7)
  const boom = new RangeError('db down')
  await assert.rejects(guard.wrap(async function db_update() { throw boom }, { tool: 'db:update' })(), (e) => e === boom)
  let ran = false
  const exec = guard.wrap(() => { ran = true }, { tool: 'shell:exec' })
  await assert.rejects(exec(), w.ActionDeniedError)
  assert.equal(ran, false)
  const lenient = new w.Guard(client, agent.agent_id, { blockOnDeny: false, flushTimer: false })
  assert.equal((await lenient.check('shell:exec')).allowed, false) // a Decision with blockOnDeny: false
  await assert.rejects(lenient.wrap(() => { ran = true }, { tool: 'shell:exec' })(), w.ActionDeniedError)
  assert.equal(ran, false)
  assert.throws(() => guard.wrap(() => 1, { tool: 'bad tool!' }), w.ValidationError)

  // report runs in order off the event loop; flush waits for the reports before it
  const rep = guard.report('web_search', true, 12)
  assert.ok(rep instanceof Promise)
  await rep
  await guard.report('web_search', false, 3, 'TypeError')
  await guard.flush()
  const s = guard.stats()
  assert.equal(s.buffered, 0)
  assert.equal(s.sent, 5) // 3 wrapped calls that ran + 2 reports
  assert.equal(s.failedFlushes, 0)
  await guard.close()
  await guard.close() // idempotent
  await assert.rejects(guard.check('web_search'), (e) => e instanceof w.ValidationError && e.reason === 'guard_closed')
  await lenient.close()
})

test('a remote call does not block the event loop (a gateway long poll, a silent server)', async () => {
  // 1. waitForDecision long-polls the gateway while timers run and an approve is sent
  const { client, agent, session } = await setupRemote({ caps: ['tool:*'], mode: 'supervised' })
  const d = await client.check({ agent_id: agent.agent_id, session_id: session.session_id, tool: 'delete_file' })
  assert.equal(d.code, 'ELEVATION_REQUIRED')
  let ticks = 0
  const timer = setInterval(() => ticks++, 5)
  try {
    const started = performance.now()
    const wait = client.waitForDecision({ approval_id: d.approvalId, timeout_seconds: 30 })
    await sleep(200)
    assert.ok(ticks >= 5, `the event loop ran ${ticks} times during the wait`)
    const approved = await client.approve({ approval_id: d.approvalId, decided_by: 'alice' })
    assert.equal(approved.status, 'approved')
    const a = await wait
    assert.equal(a.status, 'approved')
    assert.equal(a.decided_by, 'alice')
    assert.ok(performance.now() - started < 15_000)
  } finally {
    clearInterval(timer)
  }

  // 2. a server that never answers: the request times out (TIMEOUT) while the loop keeps running,
  // and a fail-open guard over it allows a read
  const silent = http.createServer(() => {})
  await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${silent.address().port}`
  const slow = w.Client.connect(url, KEY, { timeoutMs: 400, retries: 0 })
  ticks = 0
  const timer2 = setInterval(() => ticks++, 5)
  try {
    const t0 = performance.now()
    await assert.rejects(slow.check({ agent_id: agent.agent_id, tool: 'web_search' }), (e) => e instanceof w.TimeoutError)
    assert.ok(performance.now() - t0 >= 300)
    assert.ok(ticks >= 20, `the event loop ran ${ticks} times during a 400 ms request`)
    const fo = new w.Guard(slow, agent.agent_id, { sessionId: session.session_id, failOpen: true, flushTimer: false })
    const r = await fo.check('db:query')
    assert.equal(r.allowed, true)
    assert.equal(r.reason, 'fail_open')
  } finally {
    clearInterval(timer2)
    silent.closeAllConnections()
    await new Promise((resolve) => silent.close(resolve))
  }
})

test('a stopped gateway: NETWORK_ERROR, and a fail-open guard allows only reads (reason fail_open)', async () => {
  const gw2 = await startGateway('stopped')
  let stopped = false
  try {
    const client = w.Client.connect(gw2.url, KEY, { retries: 0, connectTimeoutMs: 2000 })
    const agent = await client.createAgent({ name: 'bot', capabilities: ['tool:*'] })
    const open = new w.Guard(client, agent.agent_id, { failOpen: true, flushTimer: false })
    const closed = new w.Guard(client, agent.agent_id, { flushTimer: false })
    assert.equal((await open.check('read_file', 'a.txt')).source, 'engine') // answered while up
    await gw2.stop()
    stopped = true

    await assert.rejects(client.getAgent({ agent_id: agent.agent_id }), (e) => e instanceof w.NetworkError && e.code === 'NETWORK_ERROR')
    await assert.rejects(
      w.Client.connect(gw2.url, KEY).createAgent({ name: 'late' }),
      (e) => e instanceof w.NetworkError,
    )
    assert.equal(w.resolveEffect('read_file'), 'read')
    const d = await open.check('read_file', 'a.txt')
    assert.equal(d.allowed, true)
    assert.equal(d.code, 'ALLOW')
    assert.equal(d.reason, 'fail_open')
    assert.equal(d.source, 'fail_open')
    assert.equal(d.effect, 'read')
    assert.equal(await open.wrap(function read_config() { return 'cfg' })(), 'cfg')
    // never above read, and never without failOpen
    await assert.rejects(
      open.check('delete_file'),
      (e) => e instanceof w.GuardianUnavailableError && e.reason === 'unreachable' && e.decision.source === 'guard',
    )
    await assert.rejects(open.wrap(function delete_rows() { return 'gone' })(), w.GuardianUnavailableError)
    await assert.rejects(closed.check('read_file'), (e) => e instanceof w.GuardianUnavailableError && e.decision.allowed === false)
    // telemetry cannot be delivered: the flush fails and keeps the events
    await open.flush()
    const s = open.stats()
    assert.ok(s.failedFlushes >= 1)
    assert.ok(s.buffered >= 1)
    await open.close()
    await closed.close()
  } finally {
    if (!stopped) await gw2.stop()
  }
})
