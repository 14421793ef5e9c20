package dev.docsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** DESIGN §3.4/§3.5: one request per document, each a one-operation batch on the same log. */
class SingleDocumentIntegrationTest {

    private final TestStack stack = TestStack.get();

    private Api.Response call(String token, String method, String path, String body, Map<String, String> headers) {
        return stack.api.send(token, method, path, body == null ? null : "application/json",
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body),
                headers);
    }

    @Test
    void createUpdateAndDeleteOneDocumentWithETags() {
        String ws = Batches.workspace("ws_single");
        String token = stack.editor("solo", ws);
        String documents = "/api/v1/workspaces/" + ws + "/documents";

        Api.Response created = call(token, "POST", documents,
                "{\"document_id\": \"memo\", \"title\": \"Memo\", \"content\": \"# Memo\"}", Map.of());
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("Location")).isEqualTo(documents + "/memo");
        assertThat(created.header("ETag")).isEqualTo("\"1\"");
        assertThat(created.json().get("title").asString()).isEqualTo("Memo");

        Api.Response updated = call(token, "PUT", documents + "/memo", "{\"title\": \"Memo v2\"}",
                Map.of("If-Match", "\"1\""));
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.header("ETag")).isEqualTo("\"2\"");
        assertThat(updated.json().get("content").asString()).isEqualTo("# Memo");
        assertThat(updated.json().get("version").asLong()).isEqualTo(2);

        Api.Response stale = call(token, "PUT", documents + "/memo", "{\"title\": \"Old view\"}",
                Map.of("If-Match", "\"1\""));
        assertThat(stale.status()).isEqualTo(412);
        assertThat(stale.header("Content-Type")).startsWith("application/problem+json");
        assertThat(stale.json().get("current").get("title").asString()).isEqualTo("Memo v2");

        assertThat(call(token, "DELETE", documents + "/memo", null, Map.of("If-Match", "\"2\"")).status())
                .isEqualTo(204);
        assertThat(stack.api.document(token, ws, "memo").status()).isEqualTo(410);
        assertThat(stack.jdbc.queryForList("""
                select client_id from document_versions where workspace_id = ? and document_id = 'memo'""",
                String.class, ws)).containsExactly(null, null, null);
    }

    @Test
    void writesWithoutIfMatchAreRefusedAndStarOverwritesBlindly() {
        String ws = Batches.workspace("ws_single_pre");
        String token = stack.editor("solo", ws);
        String documents = "/api/v1/workspaces/" + ws + "/documents";
        JsonNode created = call(token, "POST", documents, "{\"title\": \"Generated id\"}", Map.of()).json();
        String path = documents + "/" + created.get("document_id").asString();
        long before = stack.log.totalEndOffset();

        assertThat(call(token, "PUT", path, "{\"title\": \"x\"}", Map.of()).status()).isEqualTo(428);
        assertThat(call(token, "DELETE", path, null, Map.of()).status()).isEqualTo(428);
        assertThat(call(token, "PUT", path, "{\"title\": \"x\"}", Map.of("If-Match", "W/\"1\"")).status())
                .isEqualTo(400);
        assertThat(call(token, "PUT", path, "{\"titel\": \"x\"}", Map.of("If-Match", "\"1\"")).status())
                .isEqualTo(400);
        assertThat(stack.log.totalEndOffset()).isEqualTo(before);

        Api.Response blind = call(token, "PUT", path, "{\"title\": \"Blind\"}", Map.of("If-Match", "*"));
        assertThat(blind.status()).isEqualTo(200);
        assertThat(blind.json().get("version").asLong()).isEqualTo(2);
    }

    @Test
    void errorsMapToHttpStatuses() {
        String ws = Batches.workspace("ws_single_err");
        String token = stack.editor("solo", ws);
        String documents = "/api/v1/workspaces/" + ws + "/documents";
        call(token, "POST", documents, "{\"document_id\": \"taken\"}", Map.of());

        assertThat(call(token, "POST", documents, "{\"document_id\": \"taken\"}", Map.of()).status()).isEqualTo(409);
        assertThat(call(token, "PUT", documents + "/nobody", "{}", Map.of("If-Match", "*")).status()).isEqualTo(404);
        assertThat(call(stack.token("v", Map.of(ws, "viewer")), "POST", documents, "{}", Map.of()).status())
                .isEqualTo(403);
    }
}
