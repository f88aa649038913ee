/* C smoke test for include/warden.h, linked statically against libwarden.a:
 *   gcc -std=c11 -Wall -Wextra -Werror -I include bindings-c/tests/smoke.c \
 *       target/release/libwarden.a -lpthread -ldl -lm -o smoke && ./smoke
 * It exercises each convention once (handles, errors, buffers, NUL bytes, callbacks, a gateway
 * client on a closed port). */
#include "warden.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
static int checks = 0;

#define CHECK(cond, what)                                                   \
    do {                                                                    \
        checks++;                                                           \
        if (!(cond)) {                                                      \
            failures++;                                                     \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, what); \
        }                                                                   \
    } while (0)

#define S(lit) (const uint8_t *)(lit), (sizeof(lit) - 1)

static const char SECRET[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

static int expect_error(WardenError *err, int32_t code, const char *reason) {
    int ok = err != NULL && err->code == code && strcmp(err->code_name, warden_error_code_name(code)) == 0 &&
             err->message != NULL && (reason == NULL || (err->reason != NULL && strcmp(err->reason, reason) == 0));
    if (!ok && err != NULL) {
        fprintf(stderr, "  got %s (%s): %s\n", err->code_name, err->reason ? err->reason : "-", err->message);
    }
    warden_error_free(err);
    return ok;
}

struct fetch_wait {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int calls;
    WardenKeySet *keyset;
    WardenError *error;
};

static void on_fetch(uintptr_t user_data, WardenKeySet *keyset, WardenError *error) {
    struct fetch_wait *w = (struct fetch_wait *)user_data;
    pthread_mutex_lock(&w->mu);
    w->calls++;
    w->keyset = keyset;
    w->error = error;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

int main(void) {
    WardenError *err = NULL;

    CHECK(warden_version() != NULL && strlen(warden_version()) > 0, "version");
    CHECK(strcmp(warden_error_code_name(WARDEN_ERROR_CODE_VALIDATION_ERROR), "VALIDATION_ERROR") == 0, "code name");
    CHECK(strcmp(warden_error_code_name(WARDEN_ERROR_CODE_TIMEOUT), "TIMEOUT") == 0, "last code name");
    CHECK(warden_error_code_name(0) == NULL && warden_error_code_name(9999) == NULL, "unknown code");

    WardenBytes codes = {0};
    CHECK(warden_error_codes(&codes, &err) && err == NULL, "error_codes");
    CHECK(codes.ptr != NULL && strstr((const char *)codes.ptr, "\"INVALID_TOKEN\"") != NULL, "error_codes json");
    warden_bytes_free(codes);

    /* NULL-safe frees. */
    warden_key_free(NULL);
    warden_keyset_free(NULL);
    warden_verifier_free(NULL);
    warden_scope_set_free(NULL);
    warden_orchestrator_free(NULL);
    warden_error_free(NULL);
    warden_bytes_free((WardenBytes){NULL, 0});

    /* Keys: a bad secret is INVALID_KEY; invalid UTF-8 and NULL with a length are VALIDATION_ERROR. */
    WardenKey *key = NULL;
    CHECK(!warden_key_hs256_hex(S("abc"), NULL, 0, &key, &err) && key == NULL, "short secret fails");
    CHECK(expect_error(err, WARDEN_ERROR_CODE_INVALID_KEY, NULL), "INVALID_KEY");
    CHECK(!warden_key_hs256_hex(S("\xff\xfe"), NULL, 0, &key, &err), "non-UTF-8 fails");
    CHECK(expect_error(err, WARDEN_ERROR_CODE_VALIDATION_ERROR, NULL), "non-UTF-8 is VALIDATION_ERROR");
    CHECK(!warden_key_hs256_hex(NULL, 64, NULL, 0, &key, &err), "NULL with length fails");
    CHECK(expect_error(err, WARDEN_ERROR_CODE_VALIDATION_ERROR, NULL), "NULL is VALIDATION_ERROR");
    CHECK(!warden_key_hs256_hex((const uint8_t *)SECRET, (size_t)1 << 40, NULL, 0, &key, &err), "huge length fails");
    CHECK(expect_error(err, WARDEN_ERROR_CODE_VALIDATION_ERROR, NULL), "huge length is VALIDATION_ERROR");
    CHECK(warden_key_hs256_hex((const uint8_t *)SECRET, 64, NULL, 0, &key, &err) && err == NULL && key != NULL, "hs256 key");
    CHECK(warden_key_alg(key) == WARDEN_ALG_HS256 && strcmp(warden_alg_name(warden_key_alg(key)), "HS256") == 0, "alg");
    CHECK(warden_key_alg(NULL) == 0 && warden_alg_name(0) == NULL, "alg of NULL");

    /* Issue (ATI shortcut, arguments as JSON) and verify. */
    WardenBytes token = {0};
    CHECK(warden_issue_token((const uint8_t *)SECRET, 64,
                             S("{\"sub\":\"agent-1\",\"scope\":\"tool:web_search skill:research-*\",\"jti\":\"j-1\",\"now\":1700000000}"),
                             &token, &err),
          "issue_token");
    CHECK(err == NULL && token.ptr != NULL && token.ptr[token.len] == 0, "token is NUL-terminated");

    WardenKeySet *keyset = NULL;
    const WardenKey *keys[1] = {key};
    CHECK(warden_keyset_new(keys, 1, &keyset, &err) && warden_keyset_len(keyset) == 1, "keyset");
    warden_key_free(key); /* the key set keeps its own reference */

    WardenVerifier *verifier = NULL;
    CHECK(warden_verifier_new(keyset, S("{\"algorithms\":[\"HS256\"],\"now\":1700000100}"), &verifier, &err), "verifier");
    warden_keyset_free(keyset); /* the verifier keeps its own reference */

    uint8_t buf[512];
    size_t claims_len = 0;
    WardenBytes overflow = {0};
    CHECK(warden_verifier_verify(verifier, token.ptr, token.len, buf, sizeof buf, &claims_len, &overflow, &err), "verify");
    CHECK(overflow.ptr == NULL && claims_len > 0 && claims_len < sizeof buf, "claims in the caller's buffer");
    buf[claims_len] = 0;
    CHECK(strstr((const char *)buf, "\"sub\":\"agent-1\"") != NULL, "claims hold sub");
    CHECK(warden_claims_allows(buf, claims_len, S("skill:research-papers")), "claims allow");
    CHECK(!warden_claims_allows(buf, claims_len, S("skill:research-a:b")), "claims deny");

    /* Too small a buffer: the claims come back in an owned overflow buffer instead. */
    CHECK(warden_verifier_verify(verifier, token.ptr, token.len, buf, 8, &claims_len, &overflow, &err), "verify (overflow)");
    CHECK(overflow.ptr != NULL && overflow.len == claims_len, "overflow");
    warden_bytes_free(overflow);

    /* A tampered token: INVALID_TOKEN with a stable reason. */
    token.ptr[token.len - 2] = token.ptr[token.len - 2] == 'A' ? 'B' : 'A';
    CHECK(!warden_verifier_verify(verifier, token.ptr, token.len, buf, sizeof buf, &claims_len, &overflow, &err), "tampered");
    CHECK(expect_error(err, WARDEN_ERROR_CODE_INVALID_TOKEN, "bad_signature"), "bad_signature");
    CHECK(!warden_verifier_verify(NULL, token.ptr, token.len, buf, sizeof buf, &claims_len, &overflow, &err), "NULL verifier");
    CHECK(expect_error(err, WARDEN_ERROR_CODE_VALIDATION_ERROR, NULL), "NULL verifier is VALIDATION_ERROR");
    warden_bytes_free(token);
    warden_verifier_free(verifier);

    /* Scopes: an embedded NUL keeps its exact length and is denied. */
    const char granted[] = "ops:*tool:web_search";
    size_t lens[2] = {5, 15};
    CHECK(warden_check_scope(S("ops:ledger_export"), (const uint8_t *)granted, lens, 2), "check_scope");
    CHECK(!warden_check_scope(S("ops:ledger_export\0"), (const uint8_t *)granted, lens, 2), "NUL is denied");
    WardenScopeSet *set = NULL;
    CHECK(warden_scope_set_new((const uint8_t *)granted, lens, 2, &set, &err) && warden_scope_set_len(set) == 2, "scope set");
    CHECK(warden_scope_set_allows(set, S("tool:web_search")) && !warden_scope_set_allows(set, S("tool:other")), "allows");
    CHECK(!warden_scope_set_allows(set, S("ops:\xff")), "non-UTF-8 is denied");
    CHECK(!warden_scope_set_allows(NULL, S("tool:web_search")), "NULL set denies");
    warden_scope_set_free(set);
    size_t bad_len[1] = {9};
    CHECK(!warden_scope_set_new((const uint8_t *)"bad scope", bad_len, 1, &set, &err) && set == NULL, "bad pattern");
    CHECK(expect_error(err, WARDEN_ERROR_CODE_INVALID_SCOPE, NULL), "INVALID_SCOPE");

    uint32_t count = 0, window = 0;
    CHECK(warden_rate_spec_parse(S("10/hour"), &count, &window, &err) && count == 10 && window == 3600, "rate spec");
    CHECK(!warden_rate_spec_parse(S("10 /hour"), &count, &window, &err), "bad rate spec");
    CHECK(expect_error(err, WARDEN_ERROR_CODE_INVALID_RATE_SPEC, NULL), "INVALID_RATE_SPEC");

    /* Engine: one call with JSON text in and out, and one guard check into a typed decision. */
    WardenEngine *engine = NULL;
    CHECK(warden_engine_new(S("{\"seed\":7}"), true, 1767225600000, &engine, &err) && engine != NULL, "engine");
    WardenBytes agent = {0};
    CHECK(warden_engine_call(engine, S("create_agent"), S("{\"name\":\"smoke\",\"capabilities\":[\"tool:web_search\"]}"), &agent, &err) &&
              strstr((const char *)agent.ptr, "\"agent_id\":\"agt_") != NULL,
          "engine call");
    const char *id = strstr((const char *)agent.ptr, "agt_");
    WardenClient *client = NULL;
    CHECK(warden_client_with_engine(engine, &client, &err), "client");
    warden_engine_free(engine); /* the client keeps the engine */
    WardenGuard *guard = NULL;
    WardenGuardOptions opts = warden_guard_options_default();
    opts.flush_timer = false;
    CHECK(warden_guard_new(client, (const uint8_t *)id, strcspn(id, "\""), &opts, &guard, &err), "guard");
    WardenDecision d;
    CHECK(warden_guard_check(guard, S("web_search"), NULL, 0, NULL, 0, &d, &err) && d.allowed &&
              d.code.len == 5 && memcmp(d.code.ptr, "ALLOW", 5) == 0 && d.rule_id.ptr == NULL,
          "guard allows");
    warden_decision_free(&d);
    CHECK(!warden_guard_check(guard, S("delete_repo"), NULL, 0, NULL, 0, &d, &err) && d.storage.ptr == NULL, "guard denies");
    CHECK(err != NULL && err->decision != NULL && strstr(err->decision, "\"allowed\":false") != NULL, "denial carries the decision");
    CHECK(expect_error(err, WARDEN_ERROR_CODE_ACTION_DENIED, NULL), "ACTION_DENIED");
    /* admit: an enforced denial fails even with block_on_deny = false (the wrappers' check). */
    WardenGuard *monitor = NULL;
    opts.block_on_deny = false;
    CHECK(warden_guard_new(client, (const uint8_t *)id, strcspn(id, "\""), &opts, &monitor, &err), "non-blocking guard");
    CHECK(warden_guard_check(monitor, S("delete_repo"), NULL, 0, NULL, 0, &d, &err) && !d.allowed, "check returns the denial");
    warden_decision_free(&d);
    CHECK(!warden_guard_admit(monitor, S("delete_repo"), NULL, 0, &d, &err) && d.storage.ptr == NULL &&
              err != NULL && err->decision != NULL,
          "admit fails on the denial");
    CHECK(expect_error(err, WARDEN_ERROR_CODE_ACTION_DENIED, NULL), "admit ACTION_DENIED");
    CHECK(warden_guard_admit(monitor, S("web_search"), S("read"), &d, &err) && d.allowed, "admit allows");
    warden_decision_free(&d);
    warden_guard_free(monitor);
    CHECK(!warden_client_is_remote(client) && !warden_client_is_remote(NULL), "local client");
    warden_bytes_free(agent);
    warden_guard_close(guard, NULL);
    warden_guard_free(guard);
    warden_client_free(client);
    warden_decision_free(NULL);

    /* A gateway client: nothing is sent on connect; a call to a closed port is NETWORK_ERROR. */
    CHECK(!warden_client_connect(S("ftp://127.0.0.1:9"), S("wk_smoke"), NULL, 0, &client, &err) && client == NULL, "bad url");
    CHECK(expect_error(err, WARDEN_ERROR_CODE_VALIDATION_ERROR, NULL), "bad url is VALIDATION_ERROR");
    CHECK(!warden_client_connect(S("http://127.0.0.1:9"), S("wk_smoke"), S("{\"bogus\":1}"), &client, &err), "bad option");
    CHECK(expect_error(err, WARDEN_ERROR_CODE_VALIDATION_ERROR, NULL), "unknown option is VALIDATION_ERROR");
    CHECK(warden_client_connect(S("http://127.0.0.1:9"), S("wk_smoke"), S("{\"retries\":0,\"connect_timeout_ms\":1000}"), &client,
                                &err) &&
              warden_client_is_remote(client),
          "connect");
    WardenBytes none = {0};
    CHECK(!warden_client_call(client, S("get_agent"), S("{\"agent_id\":\"agt_x\"}"), &none, &err) && none.ptr == NULL, "call fails");
    CHECK(expect_error(err, WARDEN_ERROR_CODE_NETWORK_ERROR, NULL), "closed port is NETWORK_ERROR");
    warden_client_free(client);

    /* Async: the callback runs exactly once, here with NETWORK_ERROR (nothing listens on port 9). */
    struct fetch_wait w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, NULL, NULL};
    CHECK(warden_keyset_fetch(S("http://127.0.0.1:9/jwks.json"), 300, on_fetch, (uintptr_t)&w, &err) && err == NULL, "fetch started");
    pthread_mutex_lock(&w.mu);
    while (w.calls == 0) {
        pthread_cond_wait(&w.cv, &w.mu);
    }
    pthread_mutex_unlock(&w.mu);
    CHECK(w.keyset == NULL && expect_error(w.error, WARDEN_ERROR_CODE_NETWORK_ERROR, NULL), "fetch NETWORK_ERROR");
    CHECK(!warden_keyset_fetch(S("http://127.0.0.1:9/"), 300, NULL, 0, &err), "NULL callback refused");
    CHECK(expect_error(err, WARDEN_ERROR_CODE_VALIDATION_ERROR, NULL), "NULL callback is VALIDATION_ERROR");

    warden_runtime_shutdown(1000);
    warden_runtime_shutdown(1000); /* idempotent */
    pthread_mutex_lock(&w.mu);
    CHECK(w.calls == 1, "callback called exactly once");
    pthread_mutex_unlock(&w.mu);

    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
