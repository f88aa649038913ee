package dev.warden;

import dev.warden.ffi.FfiOrchestrator;
import dev.warden.ffi.FfiPair;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The orchestrator side of provisioning (SEMANTICS-tokens §6). */
public final class Orchestrator implements AutoCloseable {
    private final FfiOrchestrator ffi;

    private Orchestrator(FfiOrchestrator ffi) {
        this.ffi = ffi;
    }

    /** {@code Orchestrator(proxy_url, secret_hex)} with the default audience and issuer. */
    public static Orchestrator fromSecret(String proxyUrl, String secretHex) {
        return fromSecret(proxyUrl, secretHex, null, null);
    }

    /** {@code null} for {@code defaultAud}/{@code defaultIss} = {@code ati-proxy}/{@code ati-orchestrator}. */
    public static Orchestrator fromSecret(String proxyUrl, String secretHex, String defaultAud, String defaultIss) {
        Native.req(proxyUrl, "proxyUrl");
        Native.req(secretHex, "secretHex");
        return new Orchestrator(Native.call(() -> FfiOrchestrator.fromSecret(proxyUrl, secretHex, defaultAud, defaultIss)));
    }

    /** With any signing key. */
    public static Orchestrator withKey(String proxyUrl, Key key, String defaultAud, String defaultIss) {
        Native.req(proxyUrl, "proxyUrl");
        Native.req(key, "key");
        return new Orchestrator(Native.call(() -> new FfiOrchestrator(proxyUrl, key.ffi, defaultAud, defaultIss)));
    }

    /** The proxy URL without trailing slashes. */
    public String proxyUrl() {
        return Native.call(ffi::proxyUrl);
    }

    public Map<String, String> provisionSandbox(String agentId) {
        return provisionSandbox(agentId, ProvisionOptions.defaults());
    }

    /** {@code {ATI_PROXY_URL, ATI_SESSION_TOKEN}} for the sandbox of {@code agentId}. */
    public Map<String, String> provisionSandbox(String agentId, ProvisionOptions options) {
        Native.req(agentId, "agentId");
        Native.req(options, "options");
        Map<String, String> env = new LinkedHashMap<>();
        for (FfiPair p : Native.call(() -> ffi.provisionSandbox(agentId, options.ffi))) {
            env.put(p.name(), p.value());
        }
        return Collections.unmodifiableMap(env);
    }

    @Override
    public void close() {
        ffi.close();
    }
}
