package dev.docsync.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAPI description springdoc generates from the running controllers covers every endpoint of DESIGN §3
 * with its request and response schemas, in the wire's snake_case, and is readable without a token, as is the
 * Swagger UI.
 */
class OpenApiIntegrationTest {

    private static final TestStack stack = TestStack.get();
    private static final String DOCUMENT = "/api/v1/workspaces/{workspaceId}/documents/{documentId}";
    private static JsonNode spec;

    @BeforeAll
    static void fetchSpec() {
        Api.Response response = stack.api.get(null, "/v3/api-docs");
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        spec = response.json();
    }

    @Test
    void everyEndpointOfTheDesignIsDescribedWithItsSchemas() {
        assertRequest("post", "/api/v1/documents/batch", "BatchRequest");
        assertResponse("post", "/api/v1/documents/batch", "200", "BatchResult");
        assertResponse("post", "/api/v1/documents/batch", "202", "BatchResult");
        assertThat(parameterNames("post", "/api/v1/documents/batch")).contains("Prefer", "Idempotency-Key");

        assertResponse("get", "/api/v1/batches/{batchId}", "200", "BatchResult");

        assertResponse("get", DOCUMENT, "200", "DocumentView");
        assertThat(parameterNames("get", DOCUMENT)).contains("workspaceId", "documentId", "version");
        assertPageOf("get", DOCUMENT + "/history", "HistoryItem");
        assertThat(parameterNames("get", DOCUMENT + "/history")).contains("limit", "cursor");
        assertPageOf("get", "/api/v1/workspaces/{workspaceId}/documents", "DocumentSummary");
        assertThat(parameterNames("get", "/api/v1/workspaces/{workspaceId}/documents"))
                .contains("limit", "cursor", "include_deleted");
        assertPageOf("get", "/api/v1/workspaces/{workspaceId}/changes", "ChangeItem");
        assertThat(parameterNames("get", "/api/v1/workspaces/{workspaceId}/changes"))
                .contains("since", "limit", "include", "wait");
        assertResponse("get", "/api/v1/workspaces/{workspaceId}/snapshot", "200", "SnapshotPage");
        assertThat(parameterNames("get", "/api/v1/workspaces/{workspaceId}/snapshot")).contains("cursor", "limit");
        JsonNode stream = operation("get", "/api/v1/workspaces/{workspaceId}/changes/stream");
        assertThat(stream.get("responses").get("200").get("content").propertyNames())
                .containsExactly("text/event-stream");
        assertThat(parameterNames("get", "/api/v1/workspaces/{workspaceId}/changes/stream"))
                .contains("since", "Last-Event-ID");

        assertRequest("post", "/api/v1/workspaces/{workspaceId}/documents", "NewDocument");
        assertResponse("post", "/api/v1/workspaces/{workspaceId}/documents", "201", "DocumentView");
        assertRequest("put", DOCUMENT, "DocumentData");
        assertResponse("put", DOCUMENT, "200", "DocumentView");
        assertThat(parameterNames("put", DOCUMENT)).contains("If-Match");
        assertThat(operation("delete", DOCUMENT).get("responses").has("204")).isTrue();
        assertThat(parameterNames("delete", DOCUMENT)).contains("If-Match");

        assertResponse("get", "/api/v1/limits", "200", "ServerLimits");
        assertThat(required("ServerLimits")).containsExactlyInAnyOrder("max_operations", "max_request_bytes", "idempotency_retention_seconds");
    }

    @Test
    void schemasUseTheWireNames() {
        assertThat(properties("BatchRequest")).containsExactlyInAnyOrder("workspace_id", "atomic", "on_conflict",
                "operations");
        assertThat(ref(schema("BatchRequest").get("properties").get("operations").get("items")))
                .isEqualTo("OperationRequest");
        assertThat(properties("OperationRequest"))
                .contains("client_id", "operation", "document_id", "base_version", "data");
        assertThat(properties("BatchResult")).contains("batch_id", "workspace_id", "status", "atomic", "total",
                "successful", "failed", "results", "processing_time_ms");
        assertThat(properties("DocumentView")).contains("document_id", "workspace_id", "version", "title", "content",
                "yjs_state_b64", "deleted", "created_at", "updated_at", "updated_by");
        assertThat(properties("NewDocument")).containsExactlyInAnyOrder("document_id", "title", "content",
                "yjs_state_b64");
    }

    @Test
    void theMergeFieldsAreDescribed() {
        JsonNode onConflict = schema("BatchRequest").get("properties").get("on_conflict");
        assertThat(onConflict.get("enum").toString()).isEqualTo("[\"report\",\"merge\"]");
        assertThat(onConflict.get("description").asString()).contains("merge", "the default");
        assertThat(required("BatchRequest")).doesNotContain("on_conflict");
        assertThat(ref(schema("OperationResult").get("properties").get("merge"))).isEqualTo("MergeInfo");
        assertThat(schema("OperationResult").get("properties").get("status").get("enum").toString()).contains("\"merged\"");
        assertThat(schema("ErrorInfo").get("properties").get("code").get("enum").toString()).contains("\"merge_conflict\"");
        assertThat(properties("MergeInfo")).containsExactlyInAnyOrder("algorithm", "from_base_version", "fields", "hunks",
                "hunks_truncated");
        assertThat(required("MergeInfo")).containsExactlyInAnyOrder("algorithm", "from_base_version");
        assertThat(required("Hunk")).containsExactlyInAnyOrder("base_line", "mine_line", "theirs_line", "base", "mine",
                "theirs");
        assertThat(ref(schema("HistoryItem").get("properties").get("merge"))).isEqualTo("MergeInfo");
        assertThat(required("HistoryItem")).doesNotContain("merge");
    }

    @Test
    void fieldsThatAreAlwaysSentAreRequiredAndNullableOnesSayNull() {
        assertThat(required("DocumentView")).containsExactlyInAnyOrder("document_id", "workspace_id", "version",
                "title", "content", "yjs_state_b64", "deleted", "created_at", "updated_at", "updated_by");
        assertThat(schema("DocumentView").get("properties").get("yjs_state_b64").get("type").toString())
                .contains("null");
        assertThat(required("BatchRequest")).containsExactlyInAnyOrder("workspace_id", "operations");
        assertThat(required("OperationRequest")).containsExactlyInAnyOrder("client_id", "operation");
        assertThat(required("BatchResult")).containsExactlyInAnyOrder("batch_id", "workspace_id", "status");
        assertThat(required("OperationResult")).containsExactlyInAnyOrder("client_id", "operation", "status");
        assertThat(required("ChangeItem")).contains("document_id", "version", "operation");
        assertThat(required("PageChangeItem")).containsExactlyInAnyOrder("items", "next_cursor");
        assertThat(required("SnapshotPage")).containsExactlyInAnyOrder("items", "next_cursor", "feed_cursor");
        assertThat(schema("SnapshotPage").get("properties").get("next_cursor").get("type").toString()).contains("null");
        assertThat(properties("ChangeItem")).contains("document");
        assertThat(required("ChangeItem")).doesNotContain("document");
        assertThat(ref(schema("ChangeItem").get("properties").get("document"))).isEqualTo("DocumentView");
        assertThat(properties("BatchResult")).contains("change_cursor");
        assertThat(required("Problem")).containsExactlyInAnyOrder("type", "title", "status", "detail");
    }

    @Test
    void responsesNameTheirMediaTypesAndErrorsAreProblemJson() {
        spec.get("paths").properties().forEach(path -> path.getValue().properties().forEach(method -> {
            JsonNode responses = method.getValue().get("responses");
            responses.properties().forEach(response -> {
                JsonNode content = response.getValue().get("content");
                String where = method.getKey() + " " + path.getKey() + " " + response.getKey();
                if (response.getKey().equals("204")) {
                    assertThat(content).as(where).isNull();
                } else if (response.getKey().startsWith("2") && path.getKey().endsWith("/changes/stream")) {
                    assertThat(content.propertyNames()).as(where).containsExactly("text/event-stream");
                } else if (response.getKey().startsWith("2")) {
                    assertThat(content.propertyNames()).as(where).containsExactly("application/json");
                } else if (!response.getKey().equals("410") || !path.getKey().endsWith("{documentId}")
                        || !method.getKey().equals("get")) {
                    assertThat(content.propertyNames()).as(where).containsExactly("application/problem+json");
                    assertThat(ref(content.get("application/problem+json").get("schema"))).isEqualTo("Problem");
                }
            });
            assertThat(responses.has("401")).as(path.getKey()).isTrue();
        }));
        assertThat(operation("post", "/api/v1/documents/batch").get("responses").has("503")).isTrue();
    }

    @Test
    void headersTheApiReadsAndWritesAreDeclared() {
        JsonNode batch = operation("post", "/api/v1/documents/batch").get("responses");
        assertThat(batch.get("202").get("headers").propertyNames()).contains("Location", "Preference-Applied");
        assertThat(batch.get("429").get("headers").propertyNames()).contains("Retry-After");
        assertThat(batch.get("503").get("headers").propertyNames()).contains("Retry-After");
        assertThat(operation("get", DOCUMENT).get("responses").get("200").get("headers").propertyNames())
                .contains("ETag");
        JsonNode created = operation("post", "/api/v1/workspaces/{workspaceId}/documents").get("responses").get("201");
        assertThat(created.get("headers").propertyNames()).contains("Location", "ETag");
        JsonNode stream = operation("get", "/api/v1/workspaces/{workspaceId}/changes/stream").get("responses");
        assertThat(stream.get("429").get("headers").propertyNames()).contains("Retry-After");
        assertThat(stream.get("503").get("headers").propertyNames()).contains("Retry-After");
    }

    @Test
    void operationsAreTaggedByResourceNotByController() {
        List<String> tags = new ArrayList<>();
        spec.get("paths").properties().forEach(path -> path.getValue().properties()
                .forEach(method -> method.getValue().get("tags").forEach(t -> tags.add(t.asString()))));
        assertThat(tags).isNotEmpty().noneMatch(t -> t.endsWith("-controller"));
        assertThat(tags).contains("batches", "documents", "changes", "snapshot");
    }

    @Test
    void theDescriptionIsBehindBearerAuthAndTheUiIsOpen() {
        assertThat(spec.get("components").get("securitySchemes").get("bearer").get("scheme").asString())
                .isEqualTo("bearer");
        Api.Response ui = stack.api.get(null, "/swagger-ui/index.html");
        assertThat(ui.status()).isEqualTo(200);
        assertThat(ui.text()).contains("Swagger UI");
    }

    private static JsonNode operation(String method, String path) {
        JsonNode item = spec.get("paths").get(path);
        assertThat(item).as("path %s in %s", path, spec.get("paths").propertyNames()).isNotNull();
        JsonNode operation = item.get(method);
        assertThat(operation).as("%s %s", method, path).isNotNull();
        return operation;
    }

    private static void assertRequest(String method, String path, String schema) {
        JsonNode body = operation(method, path).get("requestBody");
        assertThat(body).as("request body of %s %s", method, path).isNotNull();
        assertThat(ref(body.get("content").get("application/json").get("schema"))).isEqualTo(schema);
    }

    private static void assertResponse(String method, String path, String status, String schema) {
        JsonNode response = operation(method, path).get("responses").get(status);
        assertThat(response).as("%s response of %s %s", status, method, path).isNotNull();
        assertThat(ref(response.get("content").propertyStream().findFirst().orElseThrow().getValue().get("schema")))
                .as("%s response of %s %s", status, method, path).isEqualTo(schema);
    }

    /** A 200 whose schema is a page: {@code items} of {@code item}, and {@code next_cursor}. */
    private static void assertPageOf(String method, String path, String item) {
        JsonNode response = operation(method, path).get("responses").get("200");
        String page = ref(response.get("content").propertyStream().findFirst().orElseThrow().getValue().get("schema"));
        assertThat(properties(page)).containsExactlyInAnyOrder("items", "next_cursor");
        assertThat(ref(schema(page).get("properties").get("items").get("items"))).isEqualTo(item);
    }

    private static List<String> parameterNames(String method, String path) {
        List<String> names = new ArrayList<>();
        JsonNode parameters = operation(method, path).get("parameters");
        if (parameters != null) {
            parameters.forEach(p -> names.add(p.get("name").asString()));
        }
        return names;
    }

    private static JsonNode schema(String name) {
        JsonNode schema = spec.get("components").get("schemas").get(name);
        assertThat(schema).as("schema %s", name).isNotNull();
        return schema;
    }

    private static List<String> properties(String schema) {
        return List.copyOf(schema(schema).get("properties").propertyNames());
    }

    private static List<String> required(String schema) {
        List<String> names = new ArrayList<>();
        JsonNode required = schema(schema).get("required");
        if (required != null) {
            required.forEach(r -> names.add(r.asString()));
        }
        return names;
    }

    private static String ref(JsonNode schema) {
        assertThat(schema.has("$ref")).as("a schema reference: %s", schema).isTrue();
        return schema.get("$ref").asString().substring("#/components/schemas/".length());
    }
}
