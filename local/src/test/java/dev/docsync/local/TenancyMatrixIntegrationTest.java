package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint × every kind of caller → the expected status; every denied write leaves nothing in the log
 * and nothing in the projection.
 */
class TenancyMatrixIntegrationTest {

    private final TestStack stack = TestStack.get();

    enum Who { NO_TOKEN, BAD_TOKEN, EXPIRED, OTHER_WORKSPACE, VIEWER, EDITOR, ADMIN }

    private record Endpoint(String name, boolean write, int allowedStatus, Function<Who, Api.Response> call) {
    }

    @Test
    void everyEndpointAnswersEveryCallerAsTheRolesSay() {
        String ws = Batches.workspace("ws_matrix");
        String owner = stack.token("owner", Map.of(ws, "admin"));
        String batchId = stack.api.postBatch(owner, batch(ws, List.of(create("c", "doc", "Doc"))))
                .json().get("batch_id").asString();
        for (Who who : Who.values()) {
            stack.api.postBatch(owner, batch(ws, List.of(create("d", "del-" + who, "To delete"))));
        }
        Map<Who, String> tokens = new EnumMap<>(Who.class);
        tokens.put(Who.NO_TOKEN, null);
        tokens.put(Who.BAD_TOKEN, "eyJhbGciOiJIUzI1NiJ9.e30.bm90LWEtc2lnbmF0dXJl");
        tokens.put(Who.EXPIRED, stack.tokens.mint("late", Map.of(ws, "admin"), Instant.now().minus(Duration.ofHours(2)),
                Instant.now().minus(Duration.ofHours(1))));
        tokens.put(Who.OTHER_WORKSPACE, stack.token("stranger", Map.of(ws + "_other", "admin")));
        tokens.put(Who.VIEWER, stack.token("viewer", Map.of(ws, "viewer")));
        tokens.put(Who.EDITOR, stack.token("editor", Map.of(ws, "editor")));
        tokens.put(Who.ADMIN, stack.token("admin", Map.of(ws, "admin")));
        String docs = "/api/v1/workspaces/" + ws + "/documents";
        List<Endpoint> endpoints = List.of(
                new Endpoint("POST batch", true, 200, who -> stack.api.postBatch(tokens.get(who),
                        batch(ws, List.of(create("m", "new-" + who, "New"))))),
                new Endpoint("GET batch", false, 200, who -> stack.api.get(tokens.get(who), "/api/v1/batches/" + batchId)),
                new Endpoint("GET document", false, 200, who -> stack.api.get(tokens.get(who), docs + "/doc")),
                new Endpoint("GET document version", false, 200,
                        who -> stack.api.get(tokens.get(who), docs + "/doc?version=1")),
                new Endpoint("GET history", false, 200, who -> stack.api.get(tokens.get(who), docs + "/doc/history")),
                new Endpoint("GET documents", false, 200, who -> stack.api.get(tokens.get(who), docs)),
                new Endpoint("GET changes", false, 200,
                        who -> stack.api.get(tokens.get(who), "/api/v1/workspaces/" + ws + "/changes")),
                new Endpoint("POST document", true, 201, who -> send(tokens.get(who), "POST", docs,
                        "{\"document_id\": \"single-" + who + "\"}", Map.of())),
                new Endpoint("PUT document", true, 200, who -> send(tokens.get(who), "PUT", docs + "/doc",
                        "{\"title\": \"by " + who + "\"}", Map.of("If-Match", "*"))),
                new Endpoint("DELETE document", true, 204, who -> send(tokens.get(who), "DELETE",
                        docs + "/del-" + who, null, Map.of("If-Match", "*"))));

        List<String> mismatches = new ArrayList<>();
        int cells = 0;
        for (Endpoint endpoint : endpoints) {
            for (Who who : Who.values()) {
                long logBefore = stack.log.totalEndOffset();
                long rowsBefore = projectionRows(ws);
                int status = endpoint.call().apply(who).status();
                int expected = expected(endpoint, who);
                cells++;
                if (status != expected) {
                    mismatches.add(endpoint.name() + " as " + who + ": " + status + ", expected " + expected);
                }
                if (endpoint.write() && expected >= 400) {
                    assertThat(stack.log.totalEndOffset()).as(endpoint.name() + " as " + who + " wrote to the log")
                            .isEqualTo(logBefore);
                    assertThat(projectionRows(ws)).as(endpoint.name() + " as " + who + " changed the projection")
                            .isEqualTo(rowsBefore);
                }
            }
        }
        System.out.println("tenancy matrix: " + cells + " cells (" + endpoints.size() + " endpoints x "
                + Who.values().length + " callers)");
        assertThat(mismatches).isEmpty();
    }

    private static int expected(Endpoint endpoint, Who who) {
        return switch (who) {
            case NO_TOKEN, BAD_TOKEN, EXPIRED -> 401;
            case OTHER_WORKSPACE -> endpoint.write() ? 403 : 404;
            case VIEWER -> endpoint.write() ? 403 : endpoint.allowedStatus();
            case EDITOR, ADMIN -> endpoint.allowedStatus();
        };
    }

    private long projectionRows(String ws) {
        return stack.jdbc.queryForObject("select (select count(*) from document_versions where workspace_id = ?)"
                + " + (select count(*) from batch_results where workspace_id = ?)", Long.class, ws, ws);
    }

    private Api.Response send(String token, String method, String path, String body, Map<String, String> headers) {
        return stack.api.send(token, method, path, body == null ? null : "application/json",
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body), headers);
    }
}
