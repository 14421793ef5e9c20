package dev.docsync.local;

import dev.docsync.contracts.DocsyncJson;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Builds batch request bodies the way a client would send them. */
final class Batches {

    private Batches() {
    }

    static String workspace(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
    }

    static String batch(String workspace, boolean atomic, List<Map<String, Object>> operations) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("workspace_id", workspace);
        body.put("atomic", atomic);
        body.put("operations", operations);
        return DocsyncJson.mapper().writeValueAsString(body);
    }

    static String batch(String workspace, List<Map<String, Object>> operations) {
        return batch(workspace, false, operations);
    }

    static Map<String, Object> create(String clientId, String documentId, String title) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("client_id", clientId);
        op.put("operation", "create");
        if (documentId != null) {
            op.put("document_id", documentId);
        }
        op.put("data", Map.of("title", title, "content", "# " + title));
        return op;
    }

    static Map<String, Object> update(String clientId, String documentId, Long baseVersion, String title) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("client_id", clientId);
        op.put("operation", "update");
        op.put("document_id", documentId);
        if (baseVersion != null) {
            op.put("base_version", baseVersion);
        }
        op.put("data", Map.of("title", title));
        return op;
    }

    static Map<String, Object> delete(String clientId, String documentId, Long baseVersion) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("client_id", clientId);
        op.put("operation", "delete");
        op.put("document_id", documentId);
        if (baseVersion != null) {
            op.put("base_version", baseVersion);
        }
        return op;
    }

    /** Any operation; {@code baseVersion} and {@code data} are left out when null. */
    static Map<String, Object> op(String clientId, String operation, String documentId, Long baseVersion,
            Map<String, Object> data) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("client_id", clientId);
        op.put("operation", operation);
        op.put("document_id", documentId);
        if (baseVersion != null) {
            op.put("base_version", baseVersion);
        }
        if (data != null) {
            op.put("data", data);
        }
        return op;
    }
}
