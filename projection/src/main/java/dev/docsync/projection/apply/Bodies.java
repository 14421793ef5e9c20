package dev.docsync.projection.apply;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The distinct bodies the changes of one write bring, by workspace and digest. */
final class Bodies {

    private final Map<List<String>, String> bodies = new LinkedHashMap<>();
    private long bytes;

    void add(DocumentChange change) {
        for (Body body : change.bodies()) {
            if (bodies.putIfAbsent(List.of(change.state().workspaceId(), body.digest()), body.text()) == null) {
                bytes += body.text().length();
            }
        }
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
}
