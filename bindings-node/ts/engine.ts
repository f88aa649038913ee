// Hand-written: the engine API of Warden for Node (SEMANTICS-engine.md, camelCased): `Engine`,
// `Client` (typed one-line wrappers over `call`), `Decision`, `Guard` (+ `guard.wrap`) and the
// engine's pure functions.
//
// Thin by design: arguments and results cross N-API as the core's JSON values (src/convert.rs;
// objects keep their wire snake_case names), errors become `WardenError` subclasses, and every
// rule (decisions, sessions, fail-open, telemetry) is the core's. `Guard.check` and
// `Client.check` use the raw callbacks of src/engine_fast.rs (one crossing, the decision as one
// array); `waitForDecision` is a Promise settled from the core runtime's blocking pool.

import * as native from '../native.js'
import { call, fromNative } from './errors.js'
import { fast } from './claims.js'

const NATIVE: unique symbol = Symbol('warden.engine.native')

/** The effect classes of an action (SEMANTICS-engine §5), lowest to highest. */
export type Effect = 'read' | 'mutating' | 'destructive' | 'admin'

/** A transport fault a client can be told to simulate (tests and conformance vectors only). */
export type FaultName = 'network_error' | 'timeout' | 'http_500' | 'http_503' | 'http_403'

/** A JSON object as the engine reads and writes it (wire snake_case member names). */
export type WireObject = Record<string, unknown>

/** Engine configuration overrides (SEMANTICS-engine §17); every member optional. */
export interface EngineConfig {
  issuer?: string
  audience?: string
  approval_ttl_seconds?: number
  elevation_window_seconds?: number
  denial_cooldown_seconds?: number
  session_ttl_seconds?: number
  token_ttl_seconds?: number
  delegation_ttl_seconds?: number
  max_delegation_depth?: number
  /** Seed for ids and the signing key (deterministic engines for tests). */
  seed?: number
  /** Read instead of the process environment (`{WARDEN_STRICT_MODE: 'true'}`). */
  env?: { WARDEN_STRICT_MODE?: string }
}

/** The wire form of a decision (`Decision.toJSON()`, `WardenError.decision`). */
export interface DecisionJSON {
  check_id: string
  allowed: boolean
  code: string
  reason: string
  enforced: boolean
  source: string
  agent_id: string
  session_id: string | null
  tool: string
  effect: Effect | null
  required_scope: string | null
  matched_pattern: string | null
  rule_id: string | null
  approval_id: string | null
  retry_after_ms: number | null
  decided_at: number
}

let building: native.DecisionFields | undefined

/** A guard decision (SEMANTICS-engine §9). Fields are camelCased; `toJSON()` gives the wire
 * form. `allowed || !enforced` means the caller may proceed. */
export class Decision {
  readonly checkId: string
  readonly allowed: boolean
  /** `ALLOW` or the error code of the denial (`ACTION_DENIED`, `ELEVATION_REQUIRED`, …). */
  readonly code: string
  readonly reason: string
  readonly enforced: boolean
  readonly source: string
  readonly agentId: string
  readonly sessionId: string | null
  readonly tool: string
  readonly effect: Effect | null
  readonly requiredScope: string | null
  readonly matchedPattern: string | null
  readonly ruleId: string | null
  readonly approvalId: string | null
  readonly retryAfterMs: number | null
  /** Unix ms. */
  readonly decidedAt: number

  private constructor() {
    const f = building as native.DecisionFields
    this.checkId = f[0]
    this.allowed = f[1]
    this.code = f[2]
    this.reason = f[3]
    this.enforced = f[4]
    this.source = f[5]
    this.agentId = f[6]
    this.sessionId = f[7]
    this.tool = f[8]
    this.effect = f[9] as Effect | null
    this.requiredScope = f[10]
    this.matchedPattern = f[11]
    this.ruleId = f[12]
    this.approvalId = f[13]
    this.retryAfterMs = f[14]
    this.decidedAt = f[15]
  }

  /** @internal From the native field array (src/engine_fast.rs). */
  static _fromFields(f: native.DecisionFields): Decision {
    building = f
    try {
      return new Decision()
    } finally {
      building = undefined
    }
  }

  /** A `Decision` from its wire form (for instance `WardenError.decision`). */
  static fromJSON(d: DecisionJSON | WireObject): Decision {
    const w = d as DecisionJSON
    return Decision._fromFields([
      w.check_id, w.allowed, w.code, w.reason, w.enforced, w.source, w.agent_id, w.session_id ?? null, w.tool,
      w.effect ?? null, w.required_scope ?? null, w.matched_pattern ?? null, w.rule_id ?? null,
      w.approval_id ?? null, w.retry_after_ms ?? null, w.decided_at,
    ])
  }

  /** The wire form: every field, snake_case, `null` for absent optionals. */
  toJSON(): DecisionJSON {
    return {
      check_id: this.checkId,
      allowed: this.allowed,
      code: this.code,
      reason: this.reason,
      enforced: this.enforced,
      source: this.source,
      agent_id: this.agentId,
      session_id: this.sessionId,
      tool: this.tool,
      effect: this.effect,
      required_scope: this.requiredScope,
      matched_pattern: this.matchedPattern,
      rule_id: this.ruleId,
      approval_id: this.approvalId,
      retry_after_ms: this.retryAfterMs,
      decided_at: this.decidedAt,
    }
  }
}

/** An in-process engine: agents, tokens, sessions, decisions, approvals, delegations, audit. */
export class Engine {
  /** @internal */
  readonly [NATIVE]: native.Engine

  /** `config`: overrides of the defaults (absent → defaults, `WARDEN_STRICT_MODE` from the
   * environment). `manualClockMs`: run on a manual clock starting at this unix-ms instant
   * (moved only by `advance`); absent → the system clock. */
  constructor(config?: EngineConfig | null, manualClockMs?: number | bigint | null) {
    this[NATIVE] = call(() => new native.Engine(config as WireObject | null | undefined, manualClockMs))
  }
  /** Moves the manual clock forward (`ValidationError` on a system-clock engine). */
  advance(ms: number | bigint): void {
    call(() => this[NATIVE].advance(ms))
  }
  /** True when the engine runs on a manual clock. */
  get manualClock(): boolean {
    return this[NATIVE].manualClock
  }
  /** True when this engine enforces strict mode (`WARDEN_STRICT_MODE` in force for it). */
  get strictMode(): boolean {
    return this[NATIVE].strictMode
  }
  /** The engine clock (unix ms). */
  nowMs(): number {
    return this[NATIVE].nowMs()
  }
  /** Runs one engine operation by its SEMANTICS-engine name with wire (snake_case) arguments. */
  call(op: string, args?: WireObject | null): unknown {
    return call(() => this[NATIVE].call(op, args))
  }
  /** The public JWKS of the engine's signing key (JSON text). */
  jwks(): string {
    return this[NATIVE].jwks()
  }
}

// ---- typed client arguments and results (wire names; the core rejects unknown members) ----

/** An agent (SEMANTICS-engine §2). */
export interface Agent extends WireObject {
  agent_id: string
  name: string
  workspace: string
  capabilities: string[]
  status: string
  enforcement: string
  created_at: number
}
/** A token the engine issued (§3). */
export interface IssuedToken extends WireObject {
  token: string
  jti: string
  agent_id: string
  scopes: string[]
  expires_at: number
}
/** A session (§4). */
export interface Session extends WireObject {
  session_id: string
  agent_id: string
  server_id: string
  mode: string
  status: string
  expires_at: number
}
/** An approval (§10). */
export interface Approval extends WireObject {
  approval_id: string
  agent_id: string
  tool: string
  status: string
}
/** A delegation (§11). */
export interface Delegation extends WireObject {
  delegation_id: string
  from_agent_id: string
  to_agent_id: string
  scopes: string[]
}
/** A page of a list (`items`, `next_cursor`). */
export interface Page<T> extends WireObject {
  items: T[]
}
/** The result of `verifyChain` and `verifyAuditExport`. */
export interface ChainCheck {
  ok: boolean
  checked: number
  first_broken_seq: number | null
}

export interface CreateAgentArgs extends WireObject {
  name: string
  workspace?: string
  framework?: string
  capabilities?: string[]
  metadata?: WireObject
  public_key?: string
  rate?: Record<string, string>
  enforcement?: 'strict' | 'monitoring'
}
export interface CheckArgs {
  agent_id: string
  session_id?: string
  tool: string
  input_summary?: string
  effect?: Effect | null
}

/** A client over the in-process engine (the `Local` backend; a gateway backend comes later). */
export class Client {
  /** @internal */
  readonly [NATIVE]: native.Client
  readonly #handle: native.ClientHandle

  private constructor(n: native.Client) {
    this[NATIVE] = n
    this.#handle = n.handle()
  }

  /** `Client.local()`: its own engine (default configuration, system clock);
   * `Client.local(engine)`: shares `engine` (same as `withEngine`). */
  static local(engine?: Engine): Client {
    if (engine !== undefined) return Client.withEngine(engine)
    return new Client(call(() => native.Client.local()))
  }
  /** A client sharing `engine` (clients over one engine see the same state). */
  static withEngine(engine: Engine): Client {
    if (!(engine instanceof Engine)) throw fromNative(new TypeError('withEngine takes an Engine'))
    return new Client(native.Client.withEngine(engine[NATIVE]))
  }

  /** Runs one engine operation by name with wire (snake_case) arguments. */
  call(op: string, args?: WireObject | null): unknown {
    return call(() => this[NATIVE].call(op, args))
  }
  /** Test hook: every later call fails with this simulated transport fault until `null`
   * clears it (`network_error`, `timeout`, `http_500`, `http_503`, `http_403`). */
  setFault(fault: FaultName | null): void {
    call(() => this[NATIVE].setFault(fault))
  }
  /** The engine clock (unix ms). */
  nowMs(): number {
    return this[NATIVE].nowMs()
  }

  createAgent(args: CreateAgentArgs): Agent {
    return this.call('create_agent', args) as Agent
  }
  getAgent(args: { agent_id: string }): Agent {
    return this.call('get_agent', args) as Agent
  }
  revokeAgent(args: { agent_id: string; reason?: string }): Agent {
    return this.call('revoke_agent', args) as Agent
  }
  issueToken(args: { agent_id: string; scopes?: string[]; ttl_seconds?: number; session_id?: string; rate?: Record<string, string> }): IssuedToken {
    return this.call('issue_token', args) as IssuedToken
  }
  introspectToken(args: { token: string; required_scopes?: string[] }): WireObject {
    return this.call('introspect_token', args) as WireObject
  }
  revokeToken(args: { token: string }): WireObject {
    return this.call('revoke_token', args) as WireObject
  }
  initSession(args: { agent_id: string; server_id?: string; mode?: string; scope_ceiling?: string[]; ttl_seconds?: number }): Session {
    return this.call('init_session', args) as Session
  }
  /** The engine's decision for one tool call (never throws for a denial: read `allowed`). */
  check(args: CheckArgs): Decision {
    let f: native.DecisionFields
    try {
      f = fast.clientCheck(this.#handle, args?.agent_id, args?.session_id, args?.tool, args?.input_summary, args?.effect)
    } catch (e) {
      throw fromNative(e)
    }
    return Decision._fromFields(f)
  }
  approve(args: { approval_id: string; decided_by?: string; note?: string }): Approval {
    return this.call('approve', args) as Approval
  }
  deny(args: { approval_id: string; decided_by?: string; note?: string }): Approval {
    return this.call('deny', args) as Approval
  }
  getApproval(args: { approval_id: string }): Approval {
    return this.call('get_approval', args) as Approval
  }
  listApprovals(args: { status?: string; workspace?: string; agent_id?: string; cursor?: string; limit?: number } = {}): Page<Approval> {
    return this.call('list_approvals', args) as Page<Approval>
  }
  /** Waits until the approval is decided (or `timeout_seconds`, default 300, pass →
   * `TimeoutError`). The wait runs on the core runtime: the event loop stays free. */
  async waitForDecision(args: { approval_id: string; timeout_seconds?: number }): Promise<Approval> {
    try {
      return (await this[NATIVE].waitForDecision(args)) as Approval
    } catch (e) {
      throw fromNative(e)
    }
  }
  createDelegation(args: {
    from_agent_id: string
    to_agent_id: string
    scopes?: string[]
    ttl_seconds?: number
    restrictions?: WireObject
    parent_delegation_id?: string
  }): Delegation {
    return this.call('create_delegation', args) as Delegation
  }
  revokeDelegation(args: { delegation_id: string; reason?: string }): Delegation {
    return this.call('revoke_delegation', args) as Delegation
  }
  delegationToken(args: { delegation_id: string; ttl_seconds?: number }): IssuedToken {
    return this.call('delegation_token', args) as IssuedToken
  }
  setPolicy(args: { workspace?: string; rules: WireObject[] }): WireObject {
    return this.call('set_policy', args) as WireObject
  }
  queryAudit(args: { workspace?: string; agent_id?: string; session_id?: string; kind?: string; since?: number; cursor?: string; limit?: number } = {}): Page<WireObject> {
    return this.call('query_audit', args) as Page<WireObject>
  }
  verifyChain(args: { workspace?: string } = {}): ChainCheck {
    return this.call('verify_chain', args) as ChainCheck
  }
  /** The audit chain as JSON Lines (check it with `verifyAuditExport`). */
  exportAudit(args: { workspace?: string; since_seq?: number } = {}): string {
    return this.call('export_audit', args) as string
  }
}

/** Options of a `Guard` (SEMANTICS-engine §12). */
export interface GuardOptions {
  /** Use this session (never replaced); default: the guard opens its own on first check. */
  sessionId?: string | null
  /** Throw on an enforced denial (default true). */
  blockOnDeny?: boolean
  /** Allow `read` calls while the engine is unreachable (default false). */
  failOpen?: boolean
  /** Effect used when a check names none. */
  defaultEffect?: Effect | null
  /** Send the first 200 code points of inputs instead of their length (default false). */
  logInputs?: boolean
  /** Force enforcement (default: `WARDEN_STRICT_MODE` when the guard is built). */
  strictMode?: boolean
  /** Flush telemetry every 5 s on the core runtime (default true; never keeps Node alive). */
  flushTimer?: boolean
}

/** Options of `guard.wrap`. */
export interface WrapOptions {
  /** The tool name checked and reported (default: the function's name). */
  tool?: string
  /** The caller-declared effect (raised to the tool's classified effect by the core). */
  effect?: Effect | null
}

/** Telemetry buffer counters. */
export interface GuardStats {
  buffered: number
  sent: number
  dropped: number
  invalid: number
  failedFlushes: number
}

const DISPOSE: symbol = (Symbol as { dispose?: symbol }).dispose ?? Symbol.for('Symbol.dispose')

function errorTypeName(e: unknown): string {
  if (e instanceof Error) return e.name || e.constructor?.name || 'Error'
  if (e !== null && typeof e === 'object') return (e as object).constructor?.name ?? 'Object'
  return typeof e
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function'
}

/** The client-side guard: `check` before every tool call, `report` after (SEMANTICS-engine §12).
 * `close()` flushes and stops it (also `using guard = new Guard(...)`). */
export class Guard {
  readonly #native: native.Guard
  readonly #handle: native.GuardHandle

  constructor(client: Client, agentId: string, options: GuardOptions = {}) {
    if (!(client instanceof Client)) throw fromNative(new TypeError('Guard takes a Client'))
    this.#native = call(() => new native.Guard(client[NATIVE], agentId, options as WireObject | null))
    this.#handle = this.#native.handle()
  }

  /** `check(tool, inputSummary = "", effect?)`. With `blockOnDeny` an enforced denial throws the
   * error class of `decision.code` (its `decision` member holds the decision); an unreachable
   * engine gives `GuardianUnavailableError`, or an allow for reads with `failOpen`. */
  check(tool: string, inputSummary: string = '', effect?: Effect | null): Decision {
    let f: native.DecisionFields
    try {
      f = fast.guardCheck(this.#handle, tool, inputSummary, effect)
    } catch (e) {
      throw fromNative(e)
    }
    return Decision._fromFields(f)
  }

  /** Buffers a `tool_end` / `tool_error` event; never throws (bad values count as `invalid`). */
  report(tool: string, success: boolean, durationMs: number, errorType?: string | null): void {
    this.#native.report(tool, success, durationMs, errorType)
  }
  /** Sends the buffered events now. */
  flush(): void {
    this.#native.flush()
  }
  /** Flushes once and stops; idempotent. Later `check` → `ValidationError` (`guard_closed`). */
  close(): void {
    this.#native.close()
  }
  /** Telemetry buffer counters. */
  stats(): GuardStats {
    return this.#native.stats()
  }
  /** The session the guard uses (`null` until it opened one). */
  get sessionId(): string | null {
    return this.#native.sessionId ?? null
  }

  /** `fn` wrapped: `check(tool, "", effect)` before each call (a denial throws and `fn` does not
   * run), then `report(tool, success, durationMs, errorType)` after it, with the thrown value's
   * class name on failure; `fn`'s own error is rethrown unchanged. Works for sync functions and
   * for functions returning a Promise (reported when it settles). `tool` defaults to `fn.name`
   * and is validated here. An enforced denial throws even with `blockOnDeny: false`
   * (SEMANTICS-engine §12.4). */
  wrap<A extends unknown[], R>(fn: (...args: A) => R, options: WrapOptions = {}): (...args: A) => R {
    if (typeof fn !== 'function') throw fromNative(new TypeError('wrap takes a function'))
    const tool = options?.tool ?? fn.name
    const effect = options?.effect ?? null
    resolveEffect(tool, effect) // validates the tool name and the effect now
    const guard = this
    return function (this: unknown, ...args: A): R {
      guard.#admit(tool, effect)
      const t0 = performance.now()
      const done = (ok: boolean, e?: unknown) =>
        guard.report(tool, ok, Math.round(performance.now() - t0), ok ? null : errorTypeName(e))
      let r: R
      try {
        r = fn.apply(this, args)
      } catch (e) {
        done(false, e)
        throw e
      }
      if (isThenable(r)) {
        return Promise.resolve(r).then(
          (v) => {
            done(true)
            return v
          },
          (e: unknown) => {
            done(false, e)
            throw e
          },
        ) as R
      }
      done(true)
      return r
    }
  }

  /** The wrappers' admission (core `Guard::admit`): `check(tool, "", effect)`, and an enforced
   * denial throws whatever `blockOnDeny` says. */
  #admit(tool: string, effect: Effect | null): Decision {
    let f: native.DecisionFields
    try {
      f = fast.guardAdmit(this.#handle, tool, effect)
    } catch (e) {
      throw fromNative(e)
    }
    return Decision._fromFields(f)
  }

  [DISPOSE](): void {
    this.close()
  }
}

// ---- pure functions ----

/** `max(classify(tool), effect)` (SEMANTICS-engine §5); `ValidationError` for a bad tool name
 * or effect. */
export function resolveEffect(tool: string, effect?: Effect | null): Effect {
  return call(() => native.resolveEffect(tool, effect)) as Effect
}
/** The lower-case words the effect classifier reads from a tool name. */
export function toolWords(tool: string): string[] {
  return call(() => native.toolWords(tool))
}
/** What a guard sends about an input: `""`, `"[N chars]"`, or (with `logInputs`) the first 200
 * code points. */
export function summarizeInput(text: string, logInputs: boolean = false): string {
  return call(() => native.summarizeInput(text, logInputs))
}
/** Verifies an audit export (JSON Lines from `exportAudit`). */
export function verifyAuditExport(jsonl: string): ChainCheck {
  return call(() => native.verifyAuditExport(jsonl))
}
