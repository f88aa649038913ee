import * as native from '../native.js';
/** The raw N-API callbacks of the hot paths (src/fast.rs). */
export declare const fast: native.FastApi;
/** Wraps what the native layer returned (payload text or a handle) without a copy. */
export declare function adoptClaims(backing: string | native.ClaimsHandle): Claims;
/** The handle behind a `Claims` (for `issueToken(key, claims)`). */
export declare function claimsHandle(c: Claims): native.ClaimsHandle;
/** The `ati` namespace of a token. */
export interface AtiNamespace {
    v: number;
    rate?: Record<string, string>;
}
/** A JWT payload: registered claims through getters, every other claim in `extra`. */
export declare class Claims {
    #private;
    /** Claims from a plain object (member order kept; integers beyond 2^53 as `BigInt`).
     * Use `Claims.parse(jsonText)` when number types must be kept exactly (`1.0` as a float). */
    constructor(claims: Record<string, unknown>);
    /** Claims from JSON text, parsed strictly by the core (`VALIDATION_ERROR` for bad JSON). */
    static parse(json: string): Claims;
    /** `sub`, if present and a string. */
    get sub(): string | undefined;
    /** `aud` exactly as in the token (a string or an array). */
    get aud(): string | string[] | undefined;
    /** `aud` when it is a string or a one-element array of a string. */
    get audience(): string | undefined;
    /** `iat` (unix seconds), if present and an integer. */
    get iat(): number | undefined;
    /** `exp` (unix seconds), if present and an integer. */
    get exp(): number | undefined;
    /** `nbf` (unix seconds), if present and an integer. */
    get nbf(): number | undefined;
    /** `jti`, if present and a string. */
    get jti(): string | undefined;
    /** `iss`, if present and a string. */
    get iss(): string | undefined;
    /** `scope` (the raw claim), if present and a string. */
    get scope(): string | undefined;
    /** The `ati` namespace, if present. */
    get ati(): AtiNamespace | undefined;
    /** Every claim without a getter (`job_id`, `sandbox_id`, `sid`, `act`, …), in token order. */
    get extra(): Record<string, unknown>;
    /** The scope tokens (empty when there is no string scope). */
    get scopes(): string[];
    /** The rate limits of the `ati` namespace, in token order. */
    get rateLimits(): Record<string, {
        count: number;
        windowSeconds: number;
    }>;
    /** Any claim by name (`undefined` when absent). */
    get(name: string): unknown;
    /** True iff the token's scopes allow the concrete scope `required`. */
    allows(required: string): boolean;
    /** The whole payload as a new plain object, members in token order. */
    toJSON(): Record<string, unknown>;
}
