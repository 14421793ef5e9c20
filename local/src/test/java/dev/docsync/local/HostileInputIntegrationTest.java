package dev.docsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.docsync.contracts.DocsyncJson;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A seeded generator of malformed and hostile requests (at least 1,000): broken JSON, wrong types, missing
 * and extra fields, unknown operations, duplicate client ids, huge and deeply nested values, invalid base64,
 * control characters, wrong content types, oversized bodies, bad headers and query parameters. Every one
 * must get a 4xx problem+json (never a 5xx or a hang), and nothing may reach the log or the projection.
 */
class HostileInputIntegrationTest {

    private static final long SEED = 42L;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final TestStack stack = TestStack.get();
    private final Random random = new Random(SEED);
    private final String ws = Batches.workspace("ws_fuzz");
    private final String token = stack.editor("fuzzer", ws);

    private record Case(String name, String method, String path, String contentType, byte[] body,
            Map<String, String> headers) {
    }

    @Test
    void hostileRequestsAreAllRefusedWithProblemDetailsAndWriteNothing() {
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            cases.add(batchCase("mutated batch", json(mutate(validBatch()))));
        }
        for (int i = 0; i < 150; i++) {
            byte[] valid = json(validBatch());
            cases.add(batchCase("truncated JSON", java.util.Arrays.copyOf(valid, random.nextInt(valid.length - 1))));
        }
        for (int i = 0; i < 100; i++) {
            cases.add(batchCase("random bytes", randomBytes(1 + random.nextInt(300))));
        }
        for (int i = 0; i < 100; i++) {
            cases.add(batchCase("duplicate key", duplicateKey(validBatch())));
        }
        for (String literal : List.of("", "null", "[]", "0", "\"batch\"", "true", "{}", "{\"operations\": []}",
                "{\"workspace_id\": \"" + ws + "\"}", "[{\"workspace_id\": \"" + ws + "\"}]")) {
            cases.add(batchCase("literal " + literal, literal.getBytes(StandardCharsets.UTF_8)));
        }
        cases.add(batchCase("deep nesting", ("{\"workspace_id\": \"" + ws + "\", \"operations\": "
                + "[".repeat(5000) + "]".repeat(5000) + "}").getBytes(StandardCharsets.UTF_8)));
        for (int i = 0; i < 30; i++) {
            cases.add(batchCase("too many operations", json(batchOf(101 + random.nextInt(200)))));
        }
        for (int i = 0; i < 3; i++) {
            ObjectNode big = validBatch();
            ((ObjectNode) big.get("operations").get(0).get("data")).put("content", "z".repeat(10 * 1024 * 1024 + i));
            cases.add(batchCase("oversized body", json(big)));
        }
        for (String type : List.of("text/plain", "application/xml", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", "application/octet-stream")) {
            for (int i = 0; i < 6; i++) {
                cases.add(new Case("content type " + type, "POST", "/api/v1/documents/batch", type,
                        json(validBatch()), Map.of()));
            }
        }
        cases.add(new Case("no content type", "POST", "/api/v1/documents/batch", null, json(validBatch()), Map.of()));
        String docs = "/api/v1/workspaces/" + ws + "/documents";
        for (int i = 0; i < 60; i++) {
            ObjectNode body = NODES.objectNode();
            body.set(List.of("title", "content", "yjs_state_b64", "document_id", "extra").get(random.nextInt(5)),
                    wrongValue());
            body.set("surprise_" + i, NODES.stringNode("x"));
            cases.add(new Case("single create", "POST", docs, "application/json", json(body), Map.of()));
        }
        for (String ifMatch : List.of("", "W/\"1\"", "\"0\"", "\"-3\"", "abc", "\"1", "1.5", "\"\"", "**")) {
            cases.add(new Case("If-Match " + ifMatch, "PUT", docs + "/some-doc", "application/json",
                    "{\"title\": \"x\"}".getBytes(StandardCharsets.UTF_8),
                    ifMatch.isEmpty() ? Map.of() : Map.of("If-Match", ifMatch)));
        }
        for (String query : List.of("limit=0", "limit=-1", "limit=abc", "limit=100000", "cursor=%25%25",
                "cursor=bm9wZQ", "include_deleted=maybe")) {
            cases.add(new Case("list " + query, "GET", docs + "?" + query, null, new byte[0], Map.of()));
        }
        for (String query : List.of("since=garbage", "since=YzE6MS4y", "limit=0", "limit=1001", "limit=x")) {
            cases.add(new Case("changes " + query, "GET", "/api/v1/workspaces/" + ws + "/changes?" + query, null,
                    new byte[0], Map.of()));
        }
        // Strings the projection cannot store, in every string field and every encoding (DESIGN §3.5, §6.7).
        for (String field : List.of("/workspace_id", "/operations/0/client_id", "/operations/0/document_id",
                "/operations/0/data/title", "/operations/0/data/content", "/operations/1/document_id")) {
            for (String poison : List.of("\\u0000", "\\ud800", "\\udfff", "a\\ud83dz")) {
                cases.add(batchCase("unstorable " + poison + " in " + field, withRawString(field, poison)));
            }
            cases.add(batchCase("overlong C0 80 in " + field, withOverlongNul(field)));
        }
        for (String path : List.of("ws%20a", "ws%00", ".ws", "-ws", "ws%2Fa", "w".repeat(65), "ws%C0%80")) {
            cases.add(new Case("path workspace " + path, "GET", "/api/v1/workspaces/" + path + "/documents", null,
                    new byte[0], Map.of()));
            cases.add(new Case("path workspace write " + path, "POST", "/api/v1/workspaces/" + path + "/documents",
                    "application/json", "{\"title\": \"t\"}".getBytes(StandardCharsets.UTF_8), Map.of()));
        }
        for (String id : List.of("a%20b", ":x", "d".repeat(129), "a%E2%80%8Fb")) {
            cases.add(new Case("path document " + id, "PUT", docs + "/" + id, "application/json",
                    "{\"title\": \"t\"}".getBytes(StandardCharsets.UTF_8), Map.of("If-Match", "\"1\"")));
        }
        for (String raw : List.of("d1:\u0000", "d1:", "d1:..", "h1:\u0000", "h1:-", "c1:\u0000.0.0", "c1:1.2",
                "x1:1")) {
            String cursor = java.util.Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
            cases.add(new Case("cursor " + raw, "GET", docs + "?cursor=" + cursor, null, new byte[0], Map.of()));
            cases.add(new Case("history cursor " + raw, "GET", docs + "/d/history?cursor=" + cursor, null,
                    new byte[0], Map.of()));
            cases.add(new Case("feed cursor " + raw, "GET", "/api/v1/workspaces/" + ws + "/changes?since=" + cursor,
                    null, new byte[0], Map.of()));
        }
        long logBefore = stack.log.totalEndOffset();

        Map<String, Integer> byStatus = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            Api.Response response = stack.api.send(token, c.method(), c.path(), c.contentType(),
                    HttpRequest.BodyPublishers.ofByteArray(c.body()), c.headers());
            byStatus.merge(String.valueOf(response.status()), 1, Integer::sum);
            String type = response.header("Content-Type");
            if (response.status() < 400 || response.status() >= 500 || type == null
                    || !type.startsWith("application/problem+json")) {
                failures.add(c.name() + " -> " + response.status() + " " + type + " "
                        + new String(c.body(), 0, Math.min(200, c.body().length), StandardCharsets.UTF_8));
            }
        }

        System.out.println("hostile input: " + cases.size() + " cases, statuses " + byStatus);
        assertThat(cases.size()).isGreaterThanOrEqualTo(1000);
        assertThat(failures).isEmpty();
        assertThat(stack.log.totalEndOffset()).isEqualTo(logBefore);
        assertThat(stack.jdbc.queryForObject("select count(*) from document_versions where workspace_id = ?",
                Long.class, ws)).isZero();
        assertThat(stack.jdbc.queryForObject("select count(*) from batch_receipts where workspace_id = ?",
                Long.class, ws)).isZero();
        PartitionProbe.assertEveryPartitionApplies(stack);
    }

    /** A valid batch with the JSON string at {@code pointer} replaced by raw JSON string content {@code raw}. */
    private byte[] withRawString(String pointer, String raw) {
        ObjectNode batch = validBatch();
        String marker = "MARKER" + random.nextInt(1_000_000);
        ((ObjectNode) batch.at(pointer.substring(0, pointer.lastIndexOf('/'))))
                .put(pointer.substring(pointer.lastIndexOf('/') + 1), marker);
        return new String(json(batch), StandardCharsets.UTF_8).replace(marker, "x" + raw + "y")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** A valid batch whose string at {@code pointer} holds the bytes C0 80 (an overlong U+0000). */
    private byte[] withOverlongNul(String pointer) {
        byte[] marked = withRawString(pointer, "\u0001");
        byte[] out = new byte[marked.length + 1];
        int j = 0;
        for (byte b : marked) {
            if (b == 0x01) {
                out[j++] = (byte) 0xC0;
                out[j++] = (byte) 0x80;
            } else {
                out[j++] = b;
            }
        }
        return java.util.Arrays.copyOf(out, j);
    }

    private Case batchCase(String name, byte[] body) {
        return new Case(name, "POST", "/api/v1/documents/batch", "application/json", body, Map.of());
    }

    private ObjectNode validBatch() {
        return batchOf(3);
    }

    private ObjectNode batchOf(int operations) {
        ObjectNode batch = NODES.objectNode();
        batch.put("workspace_id", ws);
        batch.put("atomic", random.nextBoolean());
        ArrayNode ops = batch.putArray("operations");
        for (int i = 0; i < operations; i++) {
            ObjectNode op = ops.addObject();
            op.put("client_id", "op_" + i);
            switch (i % 3) {
                case 0 -> {
                    op.put("operation", "create");
                    op.putObject("data").put("title", "T").put("content", "C").put("yjs_state_b64", "AQID");
                }
                case 1 -> {
                    op.put("operation", "update");
                    op.put("document_id", "doc-" + i);
                    op.put("base_version", 2);
                    op.putObject("data").put("title", "T2");
                }
                default -> {
                    op.put("operation", "delete");
                    op.put("document_id", "doc-" + i);
                    op.put("base_version", 1);
                }
            }
        }
        return batch;
    }

    /** One change that always makes the batch invalid. */
    private ObjectNode mutate(ObjectNode batch) {
        ArrayNode ops = (ArrayNode) batch.get("operations");
        ObjectNode op = (ObjectNode) ops.get(random.nextInt(ops.size()));
        List<Runnable> mutations = List.of(
                () -> replace(batch, "workspace_id", notAString()),
                () -> remove(batch, "workspace_id"),
                () -> replace(batch, "workspace_id", NODES.stringNode(badId())),
                () -> replace(batch, "atomic", notABoolean()),
                () -> replace(batch, "operations", notAnArray()),
                () -> remove(batch, "operations"),
                () -> replace(batch, "operations", NODES.arrayNode()),
                () -> replace(batch, unknownField(), NODES.stringNode("surprise")),
                () -> ops.set(random.nextInt(ops.size()), notAnObject()),
                () -> replace(op, "client_id", notAString()),
                () -> remove(op, "client_id"),
                () -> replace(op, "client_id", NODES.stringNode(random.nextBoolean() ? "" : "bad\u0007id")),
                () -> replace(op, "client_id", NODES.stringNode("x".repeat(129 + random.nextInt(100_000)))),
                () -> ((ObjectNode) ops.get(1)).put("client_id", ops.get(0).get("client_id").asString()),
                () -> replace(op, "operation", NODES.stringNode(
                        List.of("Create", "UPDATE", "upsert", "", "delete ", "remove", "créate").get(random.nextInt(7)))),
                () -> replace(op, "operation", notAString()),
                () -> remove(op, "operation"),
                () -> replace(op, unknownField(), NODES.numberNode(1)),
                () -> replace((ObjectNode) ops.get(1), "document_id", notAString()),
                () -> remove((ObjectNode) ops.get(2), "document_id"),
                () -> replace((ObjectNode) ops.get(1), "document_id", NODES.stringNode(badId())),
                () -> replace((ObjectNode) ops.get(1), "base_version", badVersion()),
                () -> replace((ObjectNode) ops.get(0), "base_version", NODES.numberNode(1)),
                () -> replace((ObjectNode) ops.get(2), "data", NODES.objectNode()),
                () -> replace((ObjectNode) ops.get(0), "data", notAnObject()),
                () -> replace((ObjectNode) ops.get(0).get("data"), "title", notAString()),
                () -> replace((ObjectNode) ops.get(0).get("data"), "title", NODES.stringNode("t".repeat(1025 + random.nextInt(5000)))),
                () -> replace((ObjectNode) ops.get(0).get("data"), "content", notAString()),
                () -> replace((ObjectNode) ops.get(0).get("data"), "yjs_state_b64", NODES.stringNode(
                        List.of("***", "abc", "====", "QQ=Q", "ü", "AQID\u0000").get(random.nextInt(6)))),
                () -> replace((ObjectNode) ops.get(0).get("data"), unknownField(), NODES.stringNode("?")));
        mutations.get(random.nextInt(mutations.size())).run();
        return batch;
    }

    private static void replace(ObjectNode node, String field, JsonNode value) {
        node.set(field, value);
    }

    private static void remove(ObjectNode node, String field) {
        node.remove(field);
    }

    private String unknownField() {
        return List.of("base_versoin", "Workspace_id", "docId", "extra", "__proto__", "operations ", "client-id",
                "title\u0000").get(random.nextInt(8));
    }

    private JsonNode notAString() {
        return List.<JsonNode>of(NODES.numberNode(7), NODES.booleanNode(true), NODES.arrayNode(), NODES.objectNode(),
                NODES.numberNode(1.5)).get(random.nextInt(5));
    }

    private JsonNode notABoolean() {
        return List.<JsonNode>of(NODES.stringNode("true"), NODES.numberNode(1), NODES.nullNode(), NODES.arrayNode())
                .get(random.nextInt(4));
    }

    private JsonNode notAnArray() {
        return List.<JsonNode>of(NODES.stringNode("[]"), NODES.numberNode(3), NODES.objectNode(), NODES.booleanNode(false))
                .get(random.nextInt(4));
    }

    private JsonNode notAnObject() {
        return List.<JsonNode>of(NODES.stringNode("{}"), NODES.numberNode(3), NODES.arrayNode(), NODES.booleanNode(true))
                .get(random.nextInt(4));
    }

    private JsonNode badVersion() {
        return List.<JsonNode>of(NODES.numberNode(0), NODES.numberNode(-1), NODES.numberNode(1.5), NODES.stringNode("3"),
                NODES.booleanNode(true), NODES.stringNode("99999999999999999999999"),
                NODES.numberNode(new java.math.BigInteger("99999999999999999999999"))).get(random.nextInt(7));
    }

    private JsonNode wrongValue() {
        return List.<JsonNode>of(NODES.numberNode(1), NODES.arrayNode(), NODES.objectNode(), NODES.booleanNode(false))
                .get(random.nextInt(4));
    }

    private String badId() {
        return List.of("", "has space", "slash/inside", ".dot-first", "tab\tid", "ünïcode", "x".repeat(200),
                "semi;colon").get(random.nextInt(8));
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] json(JsonNode node) {
        return DocsyncJson.mapper().writeValueAsBytes(node);
    }

    /** The same key twice at the top level or in an operation: strict parsing must refuse it. */
    private byte[] duplicateKey(ObjectNode batch) {
        String text = new String(json(batch), StandardCharsets.UTF_8);
        String withDuplicate = random.nextBoolean()
                ? text.replaceFirst("\\{", "{\"workspace_id\":\"" + ws + "\",")
                : text.replaceFirst("\"client_id\":\"op_0\"", "\"client_id\":\"op_0\",\"client_id\":\"op_9\"");
        return withDuplicate.getBytes(StandardCharsets.UTF_8);
    }
}
