package dev.docsync.projection.apply;

import dev.docsync.contracts.DocumentView;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The distinct contents and Yjs states of one write, by workspace and SHA-256 digest. Versions that keep a body
 * share its {@code String}, so each is hashed once (by identity) however many versions refer to it.
 */
final class Bodies {

    private final Map<String, String> digests = new IdentityHashMap<>();
    private final Map<List<String>, String> bodies = new LinkedHashMap<>();
    private long bytes;

    void add(DocumentView state) {
        add(state.workspaceId(), state.content());
        add(state.workspaceId(), state.yjsStateB64());
    }

    private void add(String workspaceId, String body) {
        if (body == null) {
            return;
        }
        if (bodies.putIfAbsent(List.of(workspaceId, digest(body)), body) == null) {
            bytes += body.length();
        }
    }

    /** The digest of a body added before (or null for none). */
    String digest(String body) {
        return body == null ? null : digests.computeIfAbsent(body, Bodies::sha256);
    }

    boolean isEmpty() {
        return bodies.isEmpty();
    }

    long bytes() {
        return bytes;
    }

    Set<List<String>> keys() {
        return bodies.keySet();
    }

    String body(List<String> key) {
        return bodies.get(key);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
