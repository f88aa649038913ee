"use strict";
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
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
exports.Claims = exports.fast = void 0;
exports.adoptClaims = adoptClaims;
exports.claimsHandle = claimsHandle;
const native = __importStar(require("../native.js"));
const errors_js_1 = require("./errors.js");
/** The raw N-API callbacks of the hot paths (src/fast.rs). */
exports.fast = native.fastApi();
/** Field indexes of `fast.claim` (kept in sync with `claim_view` in src/fast.rs). */
const F = { sub: 0, aud: 1, audience: 2, iat: 3, exp: 4, nbf: 5, jti: 6, iss: 7, scope: 8, ati: 9, extra: 10, json: 11, scopes: 12, rateLimits: 13 };
let adopting;
/** Wraps what the native layer returned (payload text or a handle) without a copy. */
function adoptClaims(backing) {
    adopting = backing;
    try {
        return new Claims(undefined);
    }
    finally {
        adopting = undefined;
    }
}
/** The handle behind a `Claims` (for `issueToken(key, claims)`). */
function claimsHandle(c) {
    return c._handle();
}
/** A JWT payload: registered claims through getters, every other claim in `extra`. */
class Claims {
    #handle;
    #text;
    #payload;
    /** Claims from a plain object (member order kept; integers beyond 2^53 as `BigInt`).
     * Use `Claims.parse(jsonText)` when number types must be kept exactly (`1.0` as a float). */
    constructor(claims) {
        if (adopting !== undefined) {
            if (typeof adopting === 'string')
                this.#text = adopting;
            else
                this.#handle = adopting;
            return;
        }
        this.#handle = (0, errors_js_1.call)(() => native.claimsFromObject(claims));
    }
    /** Claims from JSON text, parsed strictly by the core (`VALIDATION_ERROR` for bad JSON). */
    static parse(json) {
        return adoptClaims((0, errors_js_1.call)(() => native.claimsParse(json)));
    }
    /** @internal */
    _handle() {
        if (this.#handle === undefined) {
            const text = this.#text;
            this.#handle = (0, errors_js_1.call)(() => native.claimsParse(text));
        }
        return this.#handle;
    }
    #member(name, field) {
        if (this.#text !== undefined) {
            const p = (this.#payload ??= JSON.parse(this.#text));
            return Object.prototype.hasOwnProperty.call(p, name) ? p[name] : undefined;
        }
        return exports.fast.claim(this.#handle, field);
    }
    /** `sub`, if present and a string. */
    get sub() {
        return this.#member('sub', F.sub);
    }
    /** `aud` exactly as in the token (a string or an array). */
    get aud() {
        return this.#member('aud', F.aud);
    }
    /** `aud` when it is a string or a one-element array of a string. */
    get audience() {
        return exports.fast.claim(this._handle(), F.audience);
    }
    /** `iat` (unix seconds), if present and an integer. */
    get iat() {
        return this.#member('iat', F.iat);
    }
    /** `exp` (unix seconds), if present and an integer. */
    get exp() {
        return this.#member('exp', F.exp);
    }
    /** `nbf` (unix seconds), if present and an integer. */
    get nbf() {
        return this.#member('nbf', F.nbf);
    }
    /** `jti`, if present and a string. */
    get jti() {
        return this.#member('jti', F.jti);
    }
    /** `iss`, if present and a string. */
    get iss() {
        return this.#member('iss', F.iss);
    }
    /** `scope` (the raw claim), if present and a string. */
    get scope() {
        return this.#member('scope', F.scope);
    }
    /** The `ati` namespace, if present. */
    get ati() {
        return this.#member('ati', F.ati);
    }
    /** Every claim without a getter (`job_id`, `sandbox_id`, `sid`, `act`, …), in token order. */
    get extra() {
        return exports.fast.claim(this._handle(), F.extra);
    }
    /** The scope tokens (empty when there is no string scope). */
    get scopes() {
        return exports.fast.claim(this._handle(), F.scopes);
    }
    /** The rate limits of the `ati` namespace, in token order. */
    get rateLimits() {
        return exports.fast.claim(this._handle(), F.rateLimits);
    }
    /** Any claim by name (`undefined` when absent). */
    get(name) {
        return (0, errors_js_1.call)(() => exports.fast.claimGet(this._handle(), name));
    }
    /** True iff the token's scopes allow the concrete scope `required`. */
    allows(required) {
        return (0, errors_js_1.call)(() => exports.fast.claimsAllows(this._handle(), required));
    }
    /** The whole payload as a new plain object, members in token order. */
    toJSON() {
        if (this.#text !== undefined)
            return JSON.parse(this.#text);
        return exports.fast.claim(this.#handle, F.json);
    }
}
exports.Claims = Claims;
