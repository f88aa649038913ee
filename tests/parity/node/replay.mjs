// One replay routine for engine-shaped cases (SEMANTICS-engine §18) through the PUBLIC API of
// the Node SDK: the engine conformance vectors (bindings-node/test/engine-vectors.test.mjs) and
// the parity scenarios (run.mjs, tests/parity/README.md). It mirrors core/tests/replay/mod.rs
// step for step and records every step's full result, so one run gives both the expectation
// failures and the transcript.

import { createRequire } from 'node:module'
import { isDeepStrictEqual } from 'node:util'

const require = createRequire(import.meta.url)
/** The SDK under test (built by `make -C bindings-node build`). */
export const w = require('../../../bindings-node/dist/index.js')

/** Engine ops replayed through the Client's typed method of that name (the rest use `call`). */
const TYPED = {
  create_agent: 'createAgent',
  get_agent: 'getAgent',
  revoke_agent: 'revokeAgent',
  issue_token: 'issueToken',
  introspect_token: 'introspectToken',
  revoke_token: 'revokeToken',
  init_session: 'initSession',
  approve: 'approve',
  deny: 'deny',
  get_approval: 'getApproval',
  list_approvals: 'listApprovals',
  wait_for_decision: 'waitForDecision',
  create_delegation: 'createDelegation',
  revoke_delegation: 'revokeDelegation',
  delegation_token: 'delegationToken',
  set_policy: 'setPolicy',
  query_audit: 'queryAudit',
  verify_chain: 'verifyChain',
  export_audit: 'exportAudit',
}

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v)
const has = (v, k) => isObj(v) && Object.prototype.hasOwnProperty.call(v, k)
const field = (v, k) => (has(v, k) ? v[k] : undefined)
const show = (v) => (v === undefined ? 'absent' : JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? `${x}n` : x)))

/** The primary id of a bound result (the order of detection of the Rust runner). */
function primary(v) {
  let key
  if (has(v, 'check_id') && has(v, 'allowed')) key = 'check_id'
  else if (has(v, 'token') && has(v, 'jti')) key = 'token'
  else if (has(v, 'approval_id') && has(v, 'status') && has(v, 'tool')) key = 'approval_id'
  else if (has(v, 'delegation_id') && has(v, 'from_agent_id')) key = 'delegation_id'
  else if (has(v, 'session_id') && has(v, 'server_id')) key = 'session_id'
  else if (has(v, 'agent_id') && has(v, 'name')) key = 'agent_id'
  else return v
  return v[key] ?? null
}

/** Replaces `$X` (primary id of alias X) and `$X.f.g` (a field path) everywhere in `v`. */
export function resolve(v, aliases) {
  if (typeof v === 'string' && v.startsWith('$')) {
    const path = v.slice(1).split('.')
    if (!aliases.has(path[0])) return v
    const base = aliases.get(path[0])
    if (path.length === 1) return primary(base)
    let cur = base
    for (const f of path.slice(1)) cur = field(cur, f) ?? null
    return cur
  }
  if (Array.isArray(v)) return v.map((x) => resolve(x, aliases))
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x, aliases)]))
  return v
}

/** Partial match with the vector matchers; returns an error text or null. */
export function matches(want, got, path) {
  if (want === null) return got === undefined || got === null ? null : `${path}: want null, got ${show(got)}`
  if (want === '<non-null>') return got === undefined || got === null ? `${path}: want non-null` : null
  if (isObj(want)) {
    const keys = Object.keys(want)
    if (keys.length === 1 && keys[0] === '$ne') {
      if (got === undefined || got === null) return `${path}: want non-null`
      return isDeepStrictEqual(got, want.$ne) ? `${path}: want != ${show(got)}` : null
    }
    if (got === undefined) return `${path}: missing object`
    for (const k of keys) {
      const e = matches(want[k], field(got, k), `${path}.${k}`)
      if (e) return e
    }
    return null
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(got)) return `${path}: want array`
    if (got.length !== want.length) return `${path}: want ${want.length} elements, got ${got.length}`
    for (let i = 0; i < want.length; i++) {
      const e = matches(want[i], got[i], `${path}[${i}]`)
      if (e) return e
    }
    return null
  }
  return got !== undefined && isDeepStrictEqual(got, want) ? null : `${path}: want ${show(want)}, got ${show(got)}`
}

/** A step's outcome checked against its `expect`: `{fail}` or `{bind}` (the value to bind). */
export function checkResult(expect, r) {
  const wantsError = has(expect, 'error')
  if (wantsError && !r.ok) {
    const e = r.error
    const fail =
      matches(expect.error, e.code, 'error') ??
      (has(expect, 'reason') ? matches(expect.reason, e.reason ?? undefined, 'reason') : null) ??
      (has(expect, 'decision') ? matches(expect.decision, e.decision ?? undefined, 'decision') : null)
    return fail ? { fail } : { bind: null }
  }
  if (wantsError) return { fail: `want error ${show(expect.error)}, got success ${show(r.value)}` }
  if (!r.ok) return { fail: `unexpected error ${r.error?.code ?? ''} ${r.error?.message ?? r.error}` }
  if (expect !== undefined) {
    const fail = matches(expect, r.value, 'result')
    if (fail) return { fail }
  }
  return { bind: r.value }
}

function outcome(f) {
  try {
    return { ok: true, value: f() }
  } catch (error) {
    if (!(error instanceof w.WardenError)) throw error
    return { ok: false, error }
  }
}

async function outcomeAsync(f) {
  try {
    return { ok: true, value: await f() }
  } catch (error) {
    if (!(error instanceof w.WardenError)) throw error
    return { ok: false, error }
  }
}

function record(i, op, r) {
  if (r.ok) return { i, op, result: r.value }
  const e = r.error
  return { i, op, error: { code: e.code, reason: e.reason ?? null, decision: e.decision ?? null } }
}

const str = (args, k) => (typeof field(args, k) === 'string' ? args[k] : undefined)
const bool = (args, k, dflt) => (typeof field(args, k) === 'boolean' ? args[k] : dflt)

/** Runs one scenario case on a fresh seeded engine with a manual clock at `clockS` seconds.
 * Returns `{transcript, failures}`.
 *
 * `gateway` (optional, `{url, apiKey}` or an existing `RemoteClient` under `client`): run the case
 * against a live gateway in test mode instead (tests/parity/README.md, "Against a live
 * gateway"): `test_reset` with the case's engine and clock replaces the local engine, `advance`
 * is `test_advance`, guards are built on the remote client with the strict mode of a throwaway
 * local `Engine(config)`, and every call is awaited (the remote API returns Promises). */
export async function runScenario(c, clockS, gateway) {
  const transcript = []
  const failures = []
  let engine
  try {
    engine = new w.Engine({ ...(c.engine ?? {}), seed: 7 }, clockS * 1000)
  } catch (e) {
    return { transcript, failures: [`engine: ${e.code ?? ''} ${e.message}`] }
  }
  const strict = engine.strictMode
  let client
  if (gateway) {
    engine = null // only its strict mode was needed: the gateway builds the engine
    try {
      client = gateway.client ?? w.Client.connect(gateway.url, gateway.apiKey)
      await client.call('test_reset', { engine: c.engine ?? null, clock_ms: clockS * 1000 })
    } catch (e) {
      return { transcript, failures: [`test_reset: ${e.code ?? ''} ${e.message}`] }
    }
  } else {
    client = w.Client.withEngine(engine)
  }
  const guards = new Map()
  const aliases = new Map()
  const steps = Array.isArray(c.steps) ? c.steps : []
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]
    const op = typeof step.op === 'string' ? step.op : ''
    if (op === 'advance') {
      const seconds = Number.isInteger(step.seconds) ? step.seconds : 0
      if (engine) engine.advance(seconds * 1000)
      else {
        const r = await outcomeAsync(() => client.call('test_advance', { seconds }))
        if (!r.ok) failures.push(`step ${i} (advance): test_advance: ${r.error.code} ${r.error.message}`)
      }
      transcript.push(record(i, op, { ok: true, value: null }))
      continue
    }
    const args = resolve(step.args ?? null, aliases)
    const expect = has(step, 'expect') ? resolve(step.expect, aliases) : undefined
    const fault = typeof step.fault === 'string' ? step.fault : null
    try {
      client.setFault(fault)
    } catch (e) {
      failures.push(`step ${i} (${op}): bad fault: ${e.code} ${e.message}`)
      continue
    }
    const guard = () => {
      const g = guards.get((str(args, 'guard') ?? '').startsWith('guard:') ? str(args, 'guard').slice(6) : '')
      if (!g) throw new w.ValidationError('unknown guard')
      return g
    }
    let r
    switch (op) {
      case 'new_guard':
        r = outcome(() => {
          const g = new w.Guard(client, str(args, 'agent_id') ?? '', {
            sessionId: str(args, 'session_id') ?? null,
            blockOnDeny: bool(args, 'block_on_deny', true),
            failOpen: bool(args, 'fail_open', false),
            defaultEffect: str(args, 'default_effect') ?? null,
            strictMode: strict,
            flushTimer: false,
          })
          const name = typeof step.as === 'string' ? step.as : '_guard'
          guards.set(name, g)
          return `guard:${name}`
        })
        break
      case 'guard_check':
        r = await outcomeAsync(async () =>
          (await guard().check(str(args, 'tool') ?? '', str(args, 'input_summary') ?? '', str(args, 'effect') ?? null)).toJSON(),
        )
        break
      case 'guard_report':
        r = await outcomeAsync(async () => {
          const d = field(args, 'duration_ms')
          await guard().report(str(args, 'tool') ?? '', bool(args, 'success', false), Number.isInteger(d) ? d : 0, str(args, 'error_type') ?? null)
          return null
        })
        break
      case 'guard_flush':
        r = await outcomeAsync(async () => (await guard().flush(), null))
        break
      case 'guard_close':
        r = await outcomeAsync(async () => (await guard().close(), null))
        break
      case 'guard_stats':
        r = outcome(() => {
          const s = guard().stats()
          return { buffered: s.buffered, sent: s.sent, dropped: s.dropped, invalid: s.invalid, failed_flushes: s.failedFlushes }
        })
        break
      case 'check':
        r = await outcomeAsync(async () =>
          (
            await client.check({
              agent_id: str(args, 'agent_id') ?? '',
              session_id: str(args, 'session_id') ?? '',
              tool: str(args, 'tool') ?? '',
              input_summary: str(args, 'input_summary') ?? '',
              effect: str(args, 'effect') ?? null,
            })
          ).toJSON(),
        )
        break
      default: {
        const method = Object.hasOwn(TYPED, op) ? TYPED[op] : undefined
        r = await outcomeAsync(() => (method ? client[method](args) : client.call(op, args)))
      }
    }
    client.setFault(null)
    transcript.push(record(i, op, r))
    const checked = checkResult(expect, r)
    if (checked.fail !== undefined) failures.push(`step ${i} (${op}): ${checked.fail}`)
    else if (typeof step.as === 'string') aliases.set(step.as, checked.bind)
  }
  return { transcript, failures }
}

/** Runs one pure case (no `steps`): effects-shaped (`tool`, `effect?`) or an `op` case
 * (`summarize_input`, `covers`). Returns the failures. */
export function runPure(c) {
  let r
  if (has(c, 'op')) {
    const args = c.args ?? {}
    if (c.op === 'summarize_input') r = outcome(() => ({ value: w.summarizeInput(args.text, args.log_inputs) }))
    else if (c.op === 'covers') r = outcome(() => ({ value: w.covers(args.parent_patterns, args.child_pattern) }))
    else return [`no pure runner for ${show(c.op)}`]
  } else if (has(c, 'tool')) {
    const effect = typeof c.effect === 'string' ? c.effect : null
    r = outcome(() => ({ effect: w.resolveEffect(c.tool, effect), words: w.toolWords(c.tool) }))
  } else {
    return ['unknown case shape (no steps, op or tool)']
  }
  const checked = checkResult(c.expect, r)
  return checked.fail !== undefined ? [checked.fail] : []
}

/** True for an engine-shaped document (top-level `suite`). */
export function isEngineShaped(doc) {
  return has(doc, 'suite')
}

/** Runs any engine-shaped case: `{transcript, failures}` (pure cases have no transcript).
 * `gateway`: see `runScenario` (pure cases always run locally). */
export async function runCase(c, clockS, gateway) {
  if (has(c, 'steps')) return runScenario(c, clockS, gateway)
  return { transcript: null, failures: runPure(c) }
}
