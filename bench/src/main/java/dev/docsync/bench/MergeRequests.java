package dev.docsync.bench;

import dev.docsync.contracts.DocsyncJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import tools.jackson.databind.JsonNode;

/** The merge scenarios' requests: batches answered 200, or 202 and polled until applied; their bodies. */
final class MergeRequests {

    private final HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor())
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final String baseUrl;

    MergeRequests(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** A batch's answer (polled to completion when it was 202) and the time until it. */
    record Answer(JsonNode json, long micros, int pending) {
    }

    Answer send(String token, Map<String, Object> body) throws Exception {
        return send(token, DocsyncJson.mapper().writeValueAsString(body));
    }

    Answer send(String token, String body) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = http.send(request(token, "/api/v1/documents/batch")
                .header("Content-Type", "application/json").header("Prefer", "wait=" + Scenarios.WAIT_SECONDS)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
            return new Answer(DocsyncJson.mapper().readTree(response.body()), Scenarios.micros(start), 0);
        }
        if (response.statusCode() != 202) {
            throw new IllegalStateException("a merge bench batch answered " + response.statusCode() + ": "
                    + response.body().substring(0, Math.min(500, response.body().length())));
        }
        String batchId = DocsyncJson.mapper().readTree(response.body()).get("batch_id").asString();
        long deadline = start + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode polled = get(token, "/api/v1/batches/" + batchId);
            if (polled.get("status").asString().equals("completed")) {
                return new Answer(polled, Scenarios.micros(start), 1);
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("batch " + batchId + " was not applied within 120 s");
    }

    JsonNode get(String token, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request(token, path).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + response.statusCode());
        }
        return DocsyncJson.mapper().readTree(response.body());
    }

    private HttpRequest.Builder request(String token, String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(180))
                .header("Authorization", "Bearer " + token);
    }

    static Map<String, Object> body(String workspace, boolean merge, List<Map<String, Object>> ops) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("workspace_id", workspace);
        if (merge) {
            body.put("on_conflict", "merge");
        }
        body.put("operations", ops);
        return body;
    }

    static Map<String, Object> op(String clientId, String operation, String documentId, long baseVersion,
            String content) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("client_id", clientId);
        op.put("operation", operation);
        op.put("document_id", documentId);
        if (baseVersion > 0) {
            op.put("base_version", baseVersion);
        }
        op.put("data", Map.of("content", content));
        return op;
    }
}
