package dev.docsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Ingest accepts only what the projection can store (DESIGN §3.5, §6.6, §6.7): U+0000 however it was encoded
 * and unpaired surrogates in any string, bad ids in paths and token claims, cursors decoding to what
 * PostgreSQL refuses, and broken bodies are 400 with a pointer, append nothing, and leave every partition
 * applying.
 */
class UnstorableInputIntegrationTest {

    private final TestStack stack = TestStack.get();
    private final String ws = Batches.workspace("ws_nul");
    private final String token = stack.editor("nul-tester", ws);

    @Test
    void stringsThePostgresTextTypeRefusesAreRefusedAtIngestWithAPointer() {
        Map<String, Case> cases = new LinkedHashMap<>();
        cases.put("NUL escaped in a title", batch(create("o", "d1", "\"a\\u0000b\""), "/operations/0/data/title"));
        cases.put("NUL escaped in content", batch(create("o", "d1", "\"x\"", "\"a\\u0000\""), "/operations/0/data/content"));
        cases.put("NUL in a client_id", batch("{\"client_id\": \"o\\u0000\", \"operation\": \"create\"}",
                "/operations/0/client_id"));
        cases.put("NUL in a document_id", batch("{\"client_id\": \"o\", \"operation\": \"create\", "
                + "\"document_id\": \"d\\u0000\"}", "/operations/0/document_id"));
        cases.put("unpaired high surrogate", batch(create("o", "d1", "\"a\\ud800b\""), "/operations/0/data/title"));
        cases.put("unpaired low surrogate", batch(create("o", "d1", "\"\\udc00\""), "/operations/0/data/title"));
        cases.put("NUL in the workspace id", new Case("POST", "/api/v1/documents/batch",
                utf8("{\"workspace_id\": \"" + ws + "\\u0000\", \"operations\": [" + create("o", "d1", "\"t\"") + "]}"),
                "/workspace_id"));
        byte[] overlong = utf8(bodyWith(create("o", "d1", "\"aXb\"")));
        int x = indexOf(overlong, (byte) 'X');
        byte[] withC080 = new byte[overlong.length + 1];
        System.arraycopy(overlong, 0, withC080, 0, x);
        withC080[x] = (byte) 0xC0;
        withC080[x + 1] = (byte) 0x80;
        System.arraycopy(overlong, x + 1, withC080, x + 2, overlong.length - x - 1);
        cases.put("raw bytes C0 80 (overlong NUL)", new Case("POST", "/api/v1/documents/batch", withC080, null));
        cases.put("NUL in a single-document create", new Case("POST", "/api/v1/workspaces/" + ws + "/documents",
                utf8("{\"title\": \"a\\u0000\"}"), "/title"));
        cases.put("NUL in a single-document update", new Case("PUT", "/api/v1/workspaces/" + ws + "/documents/d1",
                utf8("{\"content\": \"\\u0000\"}"), "/content"));
        long logBefore = stack.log.totalEndOffset();

        cases.forEach((name, c) -> {
            Api.Response response = stack.api.send(token, c.method(), c.path(), "application/json",
                    HttpRequest.BodyPublishers.ofByteArray(c.body()), Map.of("If-Match", "\"1\""));
            assertProblem(name, response, 400);
            if (c.pointer() != null) {
                assertThat(response.json().get("errors").get(0).get("pointer").asString()).as(name)
                        .isEqualTo(c.pointer());
            }
        });

        assertThat(stack.log.totalEndOffset()).as("nothing appended").isEqualTo(logBefore);
        PartitionProbe.assertEveryPartitionApplies(stack);
    }

    @Test
    void idsInPathsAndClaimsObeyTheRulesOfIdsInBodies() {
        String spaced = "ws a";
        String claimed = stack.token("spacey", Map.of(spaced, "editor", ws, "editor"));
        long logBefore = stack.log.totalEndOffset();

        Api.Response create = stack.api.send(claimed, "POST", "/api/v1/workspaces/ws%20a/documents",
                "application/json", HttpRequest.BodyPublishers.ofString("{\"title\": \"t\"}"), Map.of());
        Api.Response read = stack.api.get(claimed, "/api/v1/workspaces/ws%20a/documents");
        Api.Response badDocument = stack.api.get(claimed, "/api/v1/workspaces/" + ws + "/documents/a%20b");
        Api.Response deleteBadDocument = stack.api.send(claimed, "DELETE",
                "/api/v1/workspaces/" + ws + "/documents/.dot", null, HttpRequest.BodyPublishers.noBody(),
                Map.of("If-Match", "\"1\""));
        Api.Response batch = stack.api.postBatch(claimed, "{\"workspace_id\": \"ws a\", \"operations\": ["
                + create("o", null, "\"t\"") + "]}");

        assertProblem("create in ws%20a", create, 400);
        assertThat(create.json().get("errors").get(0).get("pointer").asString()).isEqualTo("/path/workspace_id");
        assertProblem("list ws%20a", read, 400);
        assertProblem("read a%20b", badDocument, 400);
        assertThat(badDocument.json().get("errors").get(0).get("pointer").asString()).isEqualTo("/path/document_id");
        assertProblem("delete .dot", deleteBadDocument, 400);
        assertProblem("batch to ws a", batch, 400);
        assertThat(stack.log.totalEndOffset()).as("nothing appended").isEqualTo(logBefore);
    }

    @Test
    void cursorsDecodingToWhatTheDatabaseRefusesAre400() {
        String nulList = Base64.getUrlEncoder().withoutPadding().encodeToString("d1:\u0000".getBytes(StandardCharsets.UTF_8));
        String badUtf8 = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[] {'d', '1', ':', (byte) 0xC0, (byte) 0x80});
        String nulHistory = Base64.getUrlEncoder().withoutPadding().encodeToString("h1:1\u0000".getBytes(StandardCharsets.UTF_8));
        String nulFeed = Base64.getUrlEncoder().withoutPadding().encodeToString("c1:\u0000.1.2".getBytes(StandardCharsets.UTF_8));

        Api.Response list = stack.api.get(token, "/api/v1/workspaces/" + ws + "/documents?cursor=" + nulList);
        Api.Response overlong = stack.api.get(token, "/api/v1/workspaces/" + ws + "/documents?cursor=" + badUtf8);
        Api.Response history = stack.api.get(token, "/api/v1/workspaces/" + ws + "/documents/d1/history?cursor=" + nulHistory);
        Api.Response feed = stack.api.get(token, "/api/v1/workspaces/" + ws + "/changes?since=" + nulFeed);

        assertProblem("list cursor with NUL", list, 400);
        assertThat(list.json().get("errors").get(0).get("pointer").asString()).isEqualTo("/query/cursor");
        assertProblem("list cursor not UTF-8", overlong, 400);
        assertProblem("history cursor with NUL", history, 400);
        assertProblem("feed cursor with NUL", feed, 400);
        assertThat(feed.json().get("errors").get(0).get("pointer").asString()).isEqualTo("/query/since");
    }

    @Test
    void aBodyThatBreaksOffInItsChunkedEncodingIs400() throws Exception {
        URI base = URI.create(stack.api.baseUrl());
        long logBefore = stack.log.totalEndOffset();
        String response;
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout((int) Duration.ofSeconds(20).toMillis());
            OutputStream out = socket.getOutputStream();
            String chunk = "{\"workspace_id\": \"" + ws + "\", \"operations\": [";
            out.write(utf8("POST /api/v1/documents/batch HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer " + token + "\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(chunk.length()) + "\r\n" + chunk
                    + "\r\n5\r\n{\"cl"));
            out.flush();
            socket.shutdownOutput();
            response = readAll(socket.getInputStream());
        }

        assertThat(response).startsWith("HTTP/1.1 400");
        assertThat(response).contains("application/problem+json");
        assertThat(stack.log.totalEndOffset()).isEqualTo(logBefore);
    }

    @Test
    void aTokenWithoutExpiryIsRefusedAndEvery401IsAProblemWithAType() {
        String forever = stack.tokens.mint("immortal", Map.of(ws, "editor"), Instant.now(), null);

        Api.Response noExp = stack.api.get(forever, "/api/v1/workspaces/" + ws + "/documents");
        Api.Response noToken = stack.api.get(null, "/api/v1/workspaces/" + ws + "/documents");

        assertProblem("token without exp", noExp, 401);
        assertProblem("no token", noToken, 401);
    }

    private static void assertProblem(String name, Api.Response response, int status) {
        assertThat(response.status()).as(name + ": " + response.text()).isEqualTo(status);
        assertThat(response.header("Content-Type")).as(name).startsWith("application/problem+json");
        JsonNode body = response.json();
        for (String member : List.of("type", "title", "status", "detail")) {
            assertThat(body.hasNonNull(member)).as(name + " has " + member + ": " + response.text()).isTrue();
        }
    }

    private record Case(String method, String path, byte[] body, String pointer) {
    }

    private Case batch(String operation, String pointer) {
        return new Case("POST", "/api/v1/documents/batch", utf8(bodyWith(operation)), pointer);
    }

    private String bodyWith(String operation) {
        return "{\"workspace_id\": \"" + ws + "\", \"operations\": [" + operation + "]}";
    }

    private static String create(String clientId, String documentId, String titleJson) {
        return create(clientId, documentId, titleJson, "\"c\"");
    }

    private static String create(String clientId, String documentId, String titleJson, String contentJson) {
        return "{\"client_id\": \"" + clientId + "\", \"operation\": \"create\""
                + (documentId == null ? "" : ", \"document_id\": \"" + documentId + "\"")
                + ", \"data\": {\"title\": " + titleJson + ", \"content\": " + contentJson + "}}";
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        throw new IllegalArgumentException("not found");
    }

    private static String readAll(InputStream in) throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        in.transferTo(buffer);
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
