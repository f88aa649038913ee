// Hand-written: the `Claims` class over a core claims handle or over the payload text that
// `Verifier.verify` returns.
//
// Why two backings: every N-API call costs a crossing, so `Verifier.verify` returns the verified
// payload as compact JSON text written by the core (one crossing), parsed lazily here with
// `JSON.parse` on first access. For a verified token the core has already checked every
// registered claim's type, so the raw members *are* the accessor values. Payloads with
// integers beyond ±(2^53−1) come back as a handle instead (values as `BigInt`, exact). Every
// derived view (`extra`, `scopes`, `rateLimits`, `audience`, `allows`, `get`) and every claims
// object not from `verify` (`validateToken`, `inspectToken`, `Claims.parse`, `new Claims`) is
// computed by the core through the handle.

import * as native from '../native.js'
import { call } from './errors.js'

/** The raw N-API callbacks of the hot paths (src/fast.rs). */
export const fast: native.FastApi = native.fastApi()

/** Field indexes of `fast.claim` (kept in sync with `claim_view` in src/fast.rs). */
const F = { sub: 0, aud: 1, audience: 2, iat: 3, exp: 4, nbf: 5, jti: 6, iss: 7, scope: 8, ati: 9, extra: 10, json: 11, scopes: 12, rateLimits: 13 } as const

let adopting: string | native.ClaimsHandle | undefined

/** Wraps what the native layer returned (payload text or a handle) without a copy. */
export function adoptClaims(backing: string | native.ClaimsHandle): Claims {
  adopting = backing
  try {
    return new Claims(undefined as unknown as Record<string, unknown>)
  } finally {
    adopting = undefined
  }
}

/** The handle behind a `Claims` (for `issueToken(key, claims)`). */
export function claimsHandle(c: Claims): native.ClaimsHandle {
  return c._handle()
}

/** The `ati` namespace of a token. */
export interface AtiNamespace {
  v: number
  rate?: Record<string, string>
}

/** A JWT payload: registered claims through getters, every other claim in `extra`. */
export class Claims {
  #handle: native.ClaimsHandle | undefined
  #text: string | undefined
  #payload: Record<string, unknown> | undefined

  /** Claims from a plain object (member order kept; integers beyond 2^53 as `BigInt`).
   * Use `Claims.parse(jsonText)` when number types must be kept exactly (`1.0` as a float). */
  constructor(claims: Record<string, unknown>) {
    if (adopting !== undefined) {
      if (typeof adopting === 'string') this.#text = adopting
      else this.#handle = adopting
      return
    }
    this.#handle = call(() => native.claimsFromObject(claims))
  }

  /** Claims from JSON text, parsed strictly by the core (`VALIDATION_ERROR` for bad JSON). */
  static parse(json: string): Claims {
    return adoptClaims(call(() => native.claimsParse(json)))
  }

  /** @internal */
  _handle(): native.ClaimsHandle {
    if (this.#handle === undefined) {
      const text = this.#text as string
      this.#handle = call(() => native.claimsParse(text))
    }
    return this.#handle
  }

  #member(name: string, field: number): unknown {
    if (this.#text !== undefined) {
      const p = (this.#payload ??= JSON.parse(this.#text) as Record<string, unknown>)
      return Object.prototype.hasOwnProperty.call(p, name) ? p[name] : undefined
    }
    return fast.claim(this.#handle as native.ClaimsHandle, field)
  }

  /** `sub`, if present and a string. */
  get sub(): string | undefined {
    return this.#member('sub', F.sub) as string | undefined
  }
  /** `aud` exactly as in the token (a string or an array). */
  get aud(): string | string[] | undefined {
    return this.#member('aud', F.aud) as string | string[] | undefined
  }
  /** `aud` when it is a string or a one-element array of a string. */
  get audience(): string | undefined {
    return fast.claim(this._handle(), F.audience) as string | undefined
  }
  /** `iat` (unix seconds), if present and an integer. */
  get iat(): number | undefined {
    return this.#member('iat', F.iat) as number | undefined
  }
  /** `exp` (unix seconds), if present and an integer. */
  get exp(): number | undefined {
    return this.#member('exp', F.exp) as number | undefined
  }
  /** `nbf` (unix seconds), if present and an integer. */
  get nbf(): number | undefined {
    return this.#member('nbf', F.nbf) as number | undefined
  }
  /** `jti`, if present and a string. */
  get jti(): string | undefined {
    return this.#member('jti', F.jti) as string | undefined
  }
  /** `iss`, if present and a string. */
  get iss(): string | undefined {
    return this.#member('iss', F.iss) as string | undefined
  }
  /** `scope` (the raw claim), if present and a string. */
  get scope(): string | undefined {
    return this.#member('scope', F.scope) as string | undefined
  }
  /** The `ati` namespace, if present. */
  get ati(): AtiNamespace | undefined {
    return this.#member('ati', F.ati) as AtiNamespace | undefined
  }
  /** Every claim without a getter (`job_id`, `sandbox_id`, `sid`, `act`, …), in token order. */
  get extra(): Record<string, unknown> {
    return fast.claim(this._handle(), F.extra) as Record<string, unknown>
  }
  /** The scope tokens (empty when there is no string scope). */
  get scopes(): string[] {
    return fast.claim(this._handle(), F.scopes) as string[]
  }
  /** The rate limits of the `ati` namespace, in token order. */
  get rateLimits(): Record<string, { count: number; windowSeconds: number }> {
    return fast.claim(this._handle(), F.rateLimits) as Record<string, { count: number; windowSeconds: number }>
  }
  /** Any claim by name (`undefined` when absent). */
  get(name: string): unknown {
    return call(() => fast.claimGet(this._handle(), name))
  }
  /** True iff the token's scopes allow the concrete scope `required`. */
  allows(required: string): boolean {
    return call(() => fast.claimsAllows(this._handle(), required))
  }
  /** The whole payload as a new plain object, members in token order. */
  toJSON(): Record<string, unknown> {
    if (this.#text !== undefined) return JSON.parse(this.#text) as Record<string, unknown>
    return fast.claim(this.#handle as native.ClaimsHandle, F.json) as Record<string, unknown>
  }
}
