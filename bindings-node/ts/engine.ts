// Hand-written: the engine API of Warden for Node (SEMANTICS-engine.md, camelCased): `Engine`,
// `Client` (typed one-line wrappers over `call`), `Decision`, `Guard` (+ `guard.wrap`) and the
// engine's pure functions.
//
// Thin by design: arguments and results cross N-API as the core's JSON values (src/convert.rs;
// objects keep their wire snake_case names), errors become `WardenError` subclasses, and every
// rule (decisions, sessions, fail-open, telemetry) is the core's. `Guard.check` and
// `Client.check` use the raw callbacks of src/engine_fast.rs (one crossing, the decision as one
// array); `waitForDecision` is a Promise settled from the core runtime's blocking pool.
//
// `Client.connect` gives a `RemoteClient` (the core's gateway backend): the same methods, each
// returning a Promise settled from the core runtime's blocking pool, so a gateway round trip
// never blocks the event loop. A `Guard` over a `RemoteClient` likewise returns Promises from
// `check`, `report`, `flush` and `close`, and its `wrap` gives async functions.

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

/** Options of `Client.connect` (all optional). */
export interface ConnectOptions {
  /** Whole-request deadline in ms (default 10 000). */
  timeoutMs?: number
  /** Connect deadline in ms (default 2 000). */
  connectTimeoutMs?: number
  /** Retries of idempotent (GET) calls after a network error or a 502/503/504 (default 2). */
  retries?: number
  /** An extra trusted root certificate (PEM text). */
  caPem?: string
  /** Client certificate chain for mTLS (PEM text; with `clientKeyPem`). */
  clientCertPem?: string
  /** Client private key for mTLS (PEM text; with `clientCertPem`). */
  clientKeyPem?: string
}

/** A client over the in-process engine (the `Local` backend). Every method is synchronous;
 * `Client.connect` gives a `RemoteClient` (a gateway) whose methods return Promises. */
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
  /** A client of the engine behind a Warden gateway (`http(s)://host[:port]`), authenticating
   * with `apiKey` (a `wk_…` API key). Nothing is sent until the first call, so this returns at
   * once; a bad URL, key or option is a `ValidationError` here. Every method of the returned
   * `RemoteClient` returns a Promise (the request runs off the event loop). */
  static connect(url: string, apiKey: string, options: ConnectOptions = {}): RemoteClient {
    return RemoteClient._wrap(call(() => native.Client.connect(url, apiKey, options as WireObject | null)), url)
  }
  /** `false`: this client runs the engine in-process (see `RemoteClient`). */
  get isRemote(): false {
    return false
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

/** A client of the engine behind a gateway, from `Client.connect`. Same methods as `Client`
 * (wire arguments and results, the same typed errors: an HTTP error answer is mapped to its
 * code, an unreachable gateway is `NetworkError` / `TimeoutError`), but every method that talks
 * to the gateway returns a Promise: the request runs on the core runtime's blocking pool and the
 * event loop stays free. */
export class RemoteClient {
  /** @internal */
  readonly [NATIVE]: native.Client
  /** The gateway URL as given to `Client.connect`. */
  readonly url: string

  private constructor(n: native.Client, url: string) {
    this[NATIVE] = n
    this.url = url
  }

  /** @internal */
  static _wrap(n: native.Client, url: string): RemoteClient {
    return new RemoteClient(n, url)
  }

  /** `true`: every call goes to a gateway. */
  get isRemote(): true {
    return true
  }

  /** Runs one engine operation by name with wire (snake_case) arguments. */
  async call(op: string, args?: WireObject | null): Promise<unknown> {
    try {
      return await this[NATIVE].callAsync(op, args)
    } catch (e) {
      throw fromNative(e)
    }
  }
  /** Test hook: every later call fails with this simulated transport fault until `null`
   * clears it (nothing is sent while a fault is set). */
  setFault(fault: FaultName | null): void {
    call(() => this[NATIVE].setFault(fault))
  }
  /** The client-side clock (unix ms): the system clock, or a test-mode gateway's manual clock
   * as last reported by `test_reset` / `test_advance`. */
  nowMs(): number {
    return this[NATIVE].nowMs()
  }

  createAgent(args: CreateAgentArgs): Promise<Agent> {
    return this.call('create_agent', args) as Promise<Agent>
  }
  getAgent(args: { agent_id: string }): Promise<Agent> {
    return this.call('get_agent', args) as Promise<Agent>
  }
  revokeAgent(args: { agent_id: string; reason?: string }): Promise<Agent> {
    return this.call('revoke_agent', args) as Promise<Agent>
  }
  issueToken(args: { agent_id: string; scopes?: string[]; ttl_seconds?: number; session_id?: string; rate?: Record<string, string> }): Promise<IssuedToken> {
    return this.call('issue_token', args) as Promise<IssuedToken>
  }
  introspectToken(args: { token: string; required_scopes?: string[] }): Promise<WireObject> {
    return this.call('introspect_token', args) as Promise<WireObject>
  }
  revokeToken(args: { token: string }): Promise<WireObject> {
    return this.call('revoke_token', args) as Promise<WireObject>
  }
  initSession(args: { agent_id: string; server_id?: string; mode?: string; scope_ceiling?: string[]; ttl_seconds?: number }): Promise<Session> {
    return this.call('init_session', args) as Promise<Session>
  }
  /** The engine's decision for one tool call (never rejects for a denial: read `allowed`). */
  async check(args: CheckArgs): Promise<Decision> {
    try {
      return Decision._fromFields(
        await this[NATIVE].checkAsync(args?.agent_id, args?.session_id, args?.tool, args?.input_summary, args?.effect),
      )
    } catch (e) {
      throw fromNative(e)
    }
  }
  approve(args: { approval_id: string; decided_by?: string; note?: string }): Promise<Approval> {
    return this.call('approve', args) as Promise<Approval>
  }
  deny(args: { approval_id: string; decided_by?: string; note?: string }): Promise<Approval> {
    return this.call('deny', args) as Promise<Approval>
  }
  getApproval(args: { approval_id: string }): Promise<Approval> {
    return this.call('get_approval', args) as Promise<Approval>
  }
  listApprovals(args: { status?: string; workspace?: string; agent_id?: string; cursor?: string; limit?: number } = {}): Promise<Page<Approval>> {
    return this.call('list_approvals', args) as Promise<Page<Approval>>
  }
  /** Waits until the approval is decided (or `timeout_seconds`, default 300, pass →
   * `TimeoutError`), as repeated long polls of the gateway. */
  waitForDecision(args: { approval_id: string; timeout_seconds?: number }): Promise<Approval> {
    return this.call('wait_for_decision', args) as Promise<Approval>
  }
  createDelegation(args: {
    from_agent_id: string
    to_agent_id: string
    scopes?: string[]
    ttl_seconds?: number
    restrictions?: WireObject
    parent_delegation_id?: string
  }): Promise<Delegation> {
    return this.call('create_delegation', args) as Promise<Delegation>
  }
  revokeDelegation(args: { delegation_id: string; reason?: string }): Promise<Delegation> {
    return this.call('revoke_delegation', args) as Promise<Delegation>
  }
  delegationToken(args: { delegation_id: string; ttl_seconds?: number }): Promise<IssuedToken> {
    return this.call('delegation_token', args) as Promise<IssuedToken>
  }
  setPolicy(args: { workspace?: string; rules: WireObject[] }): Promise<WireObject> {
    return this.call('set_policy', args) as Promise<WireObject>
  }
  queryAudit(args: { workspace?: string; agent_id?: string; session_id?: string; kind?: string; since?: number; cursor?: string; limit?: number } = {}): Promise<Page<WireObject>> {
    return this.call('query_audit', args) as Promise<Page<WireObject>>
  }
  verifyChain(args: { workspace?: string } = {}): Promise<ChainCheck> {
    return this.call('verify_chain', args) as Promise<ChainCheck>
  }
  /** The audit chain as JSON Lines (check it with `verifyAuditExport`). */
  exportAudit(args: { workspace?: string; since_seq?: number } = {}): Promise<string> {
    return this.call('export_audit', args) as Promise<string>
  }
}

/** Either client: a local `Client` or a gateway `RemoteClient`. */
export type AnyClient = Client | RemoteClient

/** What a guard method gives over client `C`: `T` over a local `Client`, `Promise<T>` over a
 * `RemoteClient` (its calls go to the gateway off the event loop). */
export type GuardResult<C extends AnyClient, T> = C extends RemoteClient ? Promise<T> : T

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
const ASYNC_DISPOSE: symbol = (Symbol as { asyncDispose?: symbol }).asyncDispose ?? Symbol.for('Symbol.asyncDispose')

function errorTypeName(e: unknown): string {
  if (e instanceof Error) return e.name || e.constructor?.name || 'Error'
  if (e !== null && typeof e === 'object') return (e as object).constructor?.name ?? 'Object'
  return typeof e
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function'
}

/** The client-side guard: `check` before every tool call, `report` after (SEMANTICS-engine §12).
 * `close()` flushes and stops it (also `using guard = new Guard(...)`).
 *
 * Over a local `Client` every method is synchronous. Over a `RemoteClient` (`C` =
 * `RemoteClient`) `check`, `report`, `flush` and `close` return Promises and run off the event
 * loop, `wrap` gives async functions, and `await using` closes it. `checkAsync` is a Promise
 * either way (code that must serve both can simply `await` every call). */
export class Guard<C extends AnyClient = Client> {
  readonly #native: native.Guard
  readonly #handle: native.GuardHandle
  readonly #remote: boolean
  /** Remote only: reports, flushes and closes run in call order (a report may flush). */
  #tail: Promise<void> = Promise.resolve()

  constructor(client: C, agentId: string, options: GuardOptions = {}) {
    if (!(client instanceof Client) && !(client instanceof RemoteClient)) {
      throw fromNative(new TypeError('Guard takes a Client or a RemoteClient'))
    }
    this.#native = call(() => new native.Guard(client[NATIVE], agentId, options as WireObject | null))
    this.#handle = this.#native.handle()
    this.#remote = this.#native.isRemote
  }

  /** True when the guard's client is a `RemoteClient` (its methods return Promises). */
  get isRemote(): C extends RemoteClient ? true : false {
    return this.#remote as C extends RemoteClient ? true : false
  }

  /** `check(tool, inputSummary = "", effect?)`. With `blockOnDeny` an enforced denial throws the
   * error class of `decision.code` (its `decision` member holds the decision); an unreachable
   * engine gives `GuardianUnavailableError`, or an allow for reads with `failOpen`. Over a
   * `RemoteClient` this returns a Promise (rejecting with those errors). */
  check(tool: string, inputSummary: string = '', effect?: Effect | null): GuardResult<C, Decision> {
    if (this.#remote) return this.checkAsync(tool, inputSummary, effect) as GuardResult<C, Decision>
    let f: native.DecisionFields
    try {
      f = fast.guardCheck(this.#handle, tool, inputSummary, effect)
    } catch (e) {
      throw fromNative(e)
    }
    return Decision._fromFields(f) as GuardResult<C, Decision>
  }

  /** `check` as a Promise whatever the client (over a `RemoteClient` the check runs on the core
   * runtime's blocking pool; over a local `Client` it is answered at once). */
  async checkAsync(tool: string, inputSummary: string = '', effect?: Effect | null): Promise<Decision> {
    try {
      if (!this.#remote) return Decision._fromFields(fast.guardCheck(this.#handle, tool, inputSummary, effect))
      return Decision._fromFields(await this.#native.checkAsync(tool, inputSummary, effect))
    } catch (e) {
      throw fromNative(e)
    }
  }

  /** Buffers a `tool_end` / `tool_error` event; never throws (bad values count as `invalid`).
   * Over a `RemoteClient` it returns a Promise that always resolves (reports run in call order
   * off the event loop, since every 10th one sends the buffer); `flush`/`close` wait for them. */
  report(tool: string, success: boolean, durationMs: number, errorType?: string | null): GuardResult<C, void> {
    if (this.#remote) return this.#queue(() => this.#native.reportAsync(tool, success, durationMs, errorType)) as GuardResult<C, void>
    this.#native.report(tool, success, durationMs, errorType)
    return undefined as GuardResult<C, void>
  }
  /** Sends the buffered events now (a Promise over a `RemoteClient`). */
  flush(): GuardResult<C, void> {
    if (this.#remote) return this.#queue(() => this.#native.flushAsync()) as GuardResult<C, void>
    this.#native.flush()
    return undefined as GuardResult<C, void>
  }
  /** Flushes once and stops; idempotent. Later `check` → `ValidationError` (`guard_closed`).
   * A Promise over a `RemoteClient`. */
  close(): GuardResult<C, void> {
    if (this.#remote) return this.#queue(() => this.#native.closeAsync()) as GuardResult<C, void>
    this.#native.close()
    return undefined as GuardResult<C, void>
  }
  /** Telemetry buffer counters. */
  stats(): GuardStats {
    return this.#native.stats()
  }
  /** The session the guard uses (`null` until it opened one). */
  get sessionId(): string | null {
    return this.#native.sessionId ?? null
  }

  /** Runs `op` after every earlier queued one; the returned Promise never rejects. */
  #queue(op: () => Promise<void>): Promise<void> {
    const p = this.#tail.then(op).catch(() => undefined)
    this.#tail = p
    return p
  }

  /** `fn` wrapped: `check(tool, "", effect)` before each call (a denial throws and `fn` does not
   * run), then `report(tool, success, durationMs, errorType)` after it, with the thrown value's
   * class name on failure; `fn`'s own error is rethrown unchanged. Works for sync functions and
   * for functions returning a Promise (reported when it settles). `tool` defaults to `fn.name`
   * and is validated here. An enforced denial throws even with `blockOnDeny: false`
   * (SEMANTICS-engine §12.4). Over a `RemoteClient` the wrapper is async: it awaits the check
   * (off the event loop), then `fn`, and reports in the background. */
  wrap<A extends unknown[], R>(
    fn: (...args: A) => R,
    options: WrapOptions = {},
  ): (...args: A) => C extends RemoteClient ? Promise<Awaited<R>> : R {
    type Out = (...args: A) => C extends RemoteClient ? Promise<Awaited<R>> : R
    if (typeof fn !== 'function') throw fromNative(new TypeError('wrap takes a function'))
    const tool = options?.tool ?? fn.name
    const effect = options?.effect ?? null
    resolveEffect(tool, effect) // validates the tool name and the effect now
    const guard = this
    const report = (t0: number, ok: boolean, e?: unknown) =>
      guard.report(tool, ok, Math.round(performance.now() - t0), ok ? null : errorTypeName(e))
    if (this.#remote) {
      return async function (this: unknown, ...args: A): Promise<Awaited<R>> {
        try {
          Decision._fromFields(await guard.#native.admitAsync(tool, effect))
        } catch (e) {
          throw fromNative(e)
        }
        const t0 = performance.now()
        let v: Awaited<R>
        try {
          v = await fn.apply(this, args)
        } catch (e) {
          void report(t0, false, e)
          throw e
        }
        void report(t0, true)
        return v
      } as Out
    }
    return function (this: unknown, ...args: A): R {
      guard.#admit(tool, effect)
      const t0 = performance.now()
      const done = (ok: boolean, e?: unknown) => report(t0, ok, e)
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
    } as Out
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
    void this.close()
  }
  /** `await using guard = new Guard(remoteClient, …)`: closes it (flushing) when the scope ends. */
  async [ASYNC_DISPOSE](): Promise<void> {
    await this.close()
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
