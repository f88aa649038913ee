import { Claims } from './claims.js';
export * from './errors.js';
export { Claims } from './claims.js';
export type { AtiNamespace } from './claims.js';
/** The algorithms Warden signs and verifies with. */
export type Alg = 'HS256' | 'EdDSA' | 'ES256';
/** A signing/verification key bound to exactly one algorithm. */
export declare class Key {
    private constructor();
    /** HS256 from the ATI secret format: exactly 64 hex digits (either case), nothing else. */
    static hs256Hex(secretHex: string, kid?: string | null): Key;
    /** HS256 from raw secret bytes (at least 32). */
    static hs256Bytes(secret: Uint8Array, kid?: string | null): Key;
    /** A new random Ed25519 key pair. */
    static generateEd25519(kid?: string | null): Key;
    /** A new random P-256 key pair. */
    static generateEs256(kid?: string | null): Key;
    /** Parses a JWK (JSON text, or an object that is serialised with `JSON.stringify`). */
    static fromJwk(jwk: string | object): Key;
    /** Parses a PEM key (PKCS#8, SPKI, or SEC1 for P-256). */
    static fromPem(pem: string, kid?: string | null): Key;
    /** The algorithm this key is bound to. */
    get alg(): Alg;
    /** The key id, or `null`. */
    get kid(): string | null;
    /** True if the key can sign. */
    get hasPrivate(): boolean;
    /** The public JWK as JSON text (`INVALID_KEY` for an HMAC key). */
    publicJwk(): string;
    /** The JWK as JSON text; private parts only when `includePrivate`. */
    toJwk(includePrivate?: boolean): string;
    /** PEM (SPKI, or PKCS#8 when `includePrivate`). */
    toPem(includePrivate?: boolean): string;
    /** The same key without its private part. */
    publicKey(): Key;
}
/** Several keys looked up by `kid`. */
export declare class KeySet {
    #private;
    /** A set of keys: `INVALID_KEY` for duplicate key ids, `VALIDATION_ERROR` for none. */
    constructor(keys: Key[]);
    /** Parses a JWKS document (JSON text or an object). */
    static fromJwks(jwks: string | object): KeySet;
    /** Fetches a JWKS (https, or http to loopback), cached for `ttlSeconds` (default 300) and
     * refreshed on an unknown `kid` at most once per 30 s. */
    static fetch(url: string, ttlSeconds?: number): Promise<KeySet>;
    /** Re-fetches a fetched set now (the old keys stay on failure). */
    refresh(): Promise<void>;
    /** The keys, in order. */
    keys(): Key[];
    /** The key with this id, or `null`. */
    get(kid: string): Key | null;
    /** Number of keys. */
    get size(): number;
    /** The public JWKS as JSON text (HMAC keys are left out). */
    toPublicJwks(): string;
    /** The URL a fetched set came from, or `null`. */
    get url(): string | null;
}
/** Options of a `Verifier` (SEMANTICS-tokens §3.2). Only `algorithms` is required. */
export interface VerifierOptions {
    /** Allowed algorithms (a non-empty allow-list). */
    algorithms: Alg[];
    /** Required audience (default `ati-proxy`). */
    audience?: string;
    /** Required issuer (default: not checked). */
    issuer?: string | null;
    /** Clock skew allowance in seconds, 0..300 (default 60). */
    leewaySeconds?: number;
    /** Claims that must be present (default `sub aud iat exp jti scope`). */
    requiredClaims?: string[];
    /** Accepted `typ` values, case-insensitive (default `JWT`, `at+jwt`). */
    allowedTyp?: string[];
    /** Longest token accepted (default 8192 bytes). */
    maxTokenBytes?: number;
    /** Longest `exp - iat` (default 86400 s). */
    maxLifetimeSeconds?: number;
    /** Deepest JSON nesting (default 32). */
    maxJsonDepth?: number;
    /** Require a `kid` header (default false). */
    kidRequired?: boolean;
    /** Fixed clock in unix seconds (default: the system clock). */
    now?: number | null;
    /** Accept each `jti` once until its `exp` (default false). */
    oneTime?: boolean;
}
/** A verifier, built once and reused. */
export declare class Verifier {
    #private;
    /** `keys` is a `KeySet`, a `Key` or an array of keys. Bad options → `VALIDATION_ERROR`. */
    constructor(keys: KeySet | Key | Key[], options: VerifierOptions);
    /** Verifies a compact JWS: the claims, or `InvalidTokenError` (with `reason`),
     * `TokenExpiredError`, `TokenNotYetValidError`, `TokenRevokedError`. */
    verify(token: string): Claims;
    /** Marks a `jti` revoked on this verifier. */
    revoke(jti: string): void;
    /** True if `jti` was revoked on this verifier. */
    isRevoked(jti: string): boolean;
}
/** Keyword arguments of the ATI `issueToken(secretHex, args)` (ati-client's names and defaults). */
export interface AtiIssueArgs {
    sub: string;
    scope: string;
    /** 1..86400, default 3600. */
    ttlSeconds?: number;
    /** Default `ati-proxy`. */
    aud?: string;
    /** Default `ati-orchestrator`; `null` omits the claim. */
    iss?: string | null;
    /** Default: a random UUIDv4 (also when empty). */
    jti?: string | null;
    /** Rate limits `{pattern: spec}`, in insertion order. */
    rate?: Record<string, string> | null;
    /** Fixed clock in unix seconds (tests). */
    now?: number | null;
}
/** Signs claims with a key (`issue_token(key, claims)`); `now` fixes the clock for a defaulted `iat`. */
export declare function issueToken(key: Key, claims: Claims | Record<string, unknown>, now?: number | null): string;
/** The ATI shortcut: HS256 with the 64-hex secret and ati-client's defaults. */
export declare function issueToken(secretHex: string, args: AtiIssueArgs): string;
/** Options of `validateToken`. */
export interface ValidateOptions {
    /** Default `ati-proxy`. */
    audience?: string;
    /** Default: not checked. */
    issuer?: string | null;
    /** Leeway in seconds, default 60. */
    leeway?: number;
    /** Fixed clock in unix seconds (tests). */
    now?: number | null;
}
/** The ATI shortcut: verify an HS256 token with the 64-hex secret. */
export declare function validateToken(token: string, secretHex: string, options?: ValidateOptions): Claims;
/** Decodes without verifying the signature or the times (the format rules still apply). */
export declare function inspectToken(token: string): Claims;
/** Parses a scope claim into its tokens (`INVALID_SCOPE` if invalid). */
export declare function parseScopes(claim: string): string[];
/** True iff `claim` is a valid scope claim. */
export declare function isValidScope(claim: string): boolean;
/** Tools (prefixed `tool:`), then skills (`skill:`), then extra, joined by spaces. */
export declare function buildScopeString(tools?: string[], skills?: string[], extra?: string[]): string;
/** True iff some entry of `granted` allows `required`. */
export declare function checkScope(required: string, granted: string[]): boolean;
/** `matchesWildcard(name, pattern)` = does `pattern` allow `name`. */
export declare function matchesWildcard(name: string, pattern: string): boolean;
/** True iff one of `parents` matches every concrete scope `child` can match. */
export declare function covers(parents: string[], child: string): boolean;
/** A compiled set of scope patterns for hot paths. */
export declare class ScopeSet {
    #private;
    /** Strict: `INVALID_SCOPE` for an ungrammatical pattern, `VALIDATION_ERROR` for more than 64. */
    constructor(patterns: string[]);
    /** Invalid entries are kept but grant nothing (the `checkScope` semantics). */
    static lenient(patterns: string[]): ScopeSet;
    /** From a scope claim (space-separated); `INVALID_SCOPE` if invalid. */
    static fromClaim(claim: string): ScopeSet;
    /** True iff some pattern allows the concrete scope `required`. */
    allows(required: string): boolean;
    /** True iff one pattern covers every scope `pattern` can match. */
    covers(pattern: string): boolean;
    /** The patterns, in the order given. */
    patterns(): string[];
    /** Number of patterns. */
    get size(): number;
}
/** A parsed rate spec `<count>/<unit>`. */
export declare class RateSpec {
    #private;
    private constructor();
    /** Parses `10/hour` and friends; `INVALID_RATE_SPEC` otherwise. */
    static parse(spec: string): RateSpec;
    /** Calls allowed per window (0 always denies). */
    get count(): number;
    /** Window length in seconds. */
    get windowSeconds(): number;
    /** True iff this spec allows strictly more calls per unit of time than `other`. */
    isLooserThan(other: RateSpec): boolean;
    /** `{count, windowSeconds}`. */
    toJSON(): {
        count: number;
        windowSeconds: number;
    };
}
/** Options of `new Orchestrator(...)`. */
export interface OrchestratorOptions {
    /** Default `ati-proxy`. */
    defaultAud?: string;
    /** Default `ati-orchestrator`. */
    defaultIss?: string;
}
/** Arguments of `provisionSandbox`. */
export interface ProvisionArgs {
    tools?: string[];
    skills?: string[];
    extraScopes?: string[];
    /** Default 3600. */
    ttlSeconds?: number;
    rate?: Record<string, string>;
    /** Fixed clock (tests). */
    now?: number;
    /** Fixed token id (tests). */
    jti?: string;
}
/** The environment a sandbox gets. */
export interface SandboxEnv {
    ATI_PROXY_URL: string;
    ATI_SESSION_TOKEN: string;
}
/** Issues session tokens for sandboxes with ati-client's environment contract. */
export declare class Orchestrator {
    #private;
    /** `keyOrSecret` is a signing `Key` or the 64-hex ATI secret. */
    constructor(proxyUrl: string, keyOrSecret: Key | string, options?: OrchestratorOptions);
    /** The proxy URL without trailing slashes. */
    get proxyUrl(): string;
    /** `{ATI_PROXY_URL, ATI_SESSION_TOKEN}` for a sandbox. */
    provisionSandbox(agentId: string, args?: ProvisionArgs): SandboxEnv;
}
/** The agent-side session token: `$name`, then the file named by `$name_FILE`, then
 * `/run/ati/session_token`; `NotFoundError` otherwise. */
export declare function sessionTokenFromEnv(name?: string): string;
/** Every stable error code of the core, in the order of SEMANTICS-engine §16. */
export declare function errorCodes(): string[];
/** The version of the Rust core. */
export declare const coreVersion: string;
