package dev.docsync.ingest.web;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.HeaderParameter;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.tags.Tag;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springdoc.core.customizers.OpenApiCustomizer;

/**
 * Makes the generated description exact enough to generate client types from (DESIGN §9): which fields are
 * always present and which may be null, the media types actually sent ({@code application/json}, errors as
 * {@code application/problem+json}), the headers the API reads and writes, and tags named after resources.
 * The controllers stay as they are; what swagger-core cannot infer from records and {@code ResponseEntity<?>}
 * is stated here, in one place, and {@code OpenApiIntegrationTest} checks it.
 */
final class OpenApiPrecision implements OpenApiCustomizer {

    static final String PROBLEM = "Problem";
    private static final String JSON = "application/json";
    private static final String PROBLEM_JSON = "application/problem+json";
    private static final String SCHEMAS = "#/components/schemas/";

    /** Fields always present in the JSON, per schema; the nullable ones are present and may be {@code null}. */
    private static final Map<String, List<String>> REQUIRED = Map.ofEntries(
            Map.entry("BatchRequest", List.of("workspace_id", "operations")),
            Map.entry("OperationRequest", List.of("client_id", "operation")),
            // A pending batch carries only its identity; total, results etc. come with "completed".
            Map.entry("BatchResult", List.of("batch_id", "workspace_id", "status")),
            Map.entry("OperationResult", List.of("client_id", "operation", "status")),
            Map.entry("ErrorInfo", List.of("code", "message")),
            Map.entry("DocumentView", List.of("document_id", "workspace_id", "version", "title", "content",
                    "yjs_state_b64", "deleted", "created_at", "updated_at", "updated_by")),
            Map.entry("DocumentSummary", List.of("document_id", "version", "title", "deleted", "updated_at",
                    "updated_by")),
            Map.entry("HistoryItem", List.of("version", "operation", "actor", "batch_id", "client_id", "stamped_at")),
            Map.entry("ChangeItem", List.of("document_id", "version", "operation", "batch_id", "actor", "stamped_at")),
            Map.entry("MergeInfo", List.of("algorithm", "from_base_version")),
            Map.entry("Hunk", List.of("base_line", "mine_line", "theirs_line", "base", "mine", "theirs")),
            Map.entry("PageDocumentSummary", List.of("items", "next_cursor")),
            Map.entry("PageHistoryItem", List.of("items", "next_cursor")),
            Map.entry("PageChangeItem", List.of("items", "next_cursor")),
            Map.entry("ServerLimits", List.of("max_operations", "max_request_bytes", "idempotency_retention_seconds")),
            Map.entry("SnapshotPage", List.of("items", "next_cursor", "feed_cursor")),
            Map.entry(PROBLEM, List.of("type", "title", "status", "detail")));

    private static final Map<String, List<String>> NULLABLE = Map.of(
            "DocumentView", List.of("yjs_state_b64"),
            "HistoryItem", List.of("client_id"),
            "PageDocumentSummary", List.of("next_cursor"),
            "PageHistoryItem", List.of("next_cursor"),
            "SnapshotPage", List.of("next_cursor"));

    /** What a field means where its name and type do not say it (DESIGN §3.1, merge). */
    private static final Map<String, Map<String, String>> DESCRIPTIONS = Map.of(
            // The default is said in words: a schema "default" makes generated client types require the field.
            "BatchRequest", Map.of("on_conflict", "What a stale update (base_version older than the document) does: "
                    + "\"report\" it as a version_conflict (the default), or \"merge\" it three-way with what changed "
                    + "since its base (status merged, or a conflict with error.code merge_conflict)"),
            "OperationResult", Map.of("merge", "How a stale operation of an on_conflict: merge batch was merged "
                    + "(status merged, whose current is the merged state) or why it collided (merge_conflict)"),
            "MergeInfo", Map.of(
                    "algorithm", "the merge algorithm and its version, e.g. diff3-lines/1",
                    "from_base_version", "the base_version the operation was merged from",
                    "fields", "merge_conflict: the fields changed differently on both sides (title, content, "
                            + "yjs_state_b64), or deleted for an edit against a delete",
                    "hunks", "merge_conflict on content: the regions both sides changed differently, in order "
                            + "(at most 16 KiB of lines in all)",
                    "hunks_truncated", "true when colliding hunks were left out to keep the result small"),
            "Hunk", Map.of(
                    "base_line", "1-based line where the region starts in the base",
                    "mine_line", "1-based line where it starts in the operation's content",
                    "theirs_line", "1-based line where it starts in the current content",
                    "base", "the base's lines of the region, without their newline",
                    "mine", "the operation's lines for it",
                    "theirs", "the current document's lines for it"),
            "HistoryItem", Map.of("merge", "for a version made by a three-way merge: the algorithm and the "
                    + "base_version it merged from"));

    private static final Map<String, String> TAGS = Map.of(
            "batch-controller", "batches",
            "document-controller", "documents",
            "document-write-controller", "documents",
            "change-feed-controller", "changes",
            "change-stream-controller", "changes",
            "snapshot-controller", "snapshot");

    private static final Map<String, String> TAG_DESCRIPTIONS = Map.of(
            "batches", "Submit batches of operations and poll their results",
            "documents", "Read documents, their history and versions; single-document writes",
            "changes", "The change feed clients pull after pushing, with states, long-polled or streamed",
            "limits", "Batch limits and Idempotency-Key retention",
            "snapshot", "A new client's bootstrap: the current documents, then the feed from feed_cursor");

    @Override
    public void customise(OpenAPI openApi) {
        Map<String, Schema> schemas = openApi.getComponents().getSchemas();
        schemas.put(PROBLEM, problemSchema());
        REQUIRED.forEach((name, fields) -> {
            Schema<?> schema = schemas.get(name);
            if (schema != null) {
                schema.setRequired(new ArrayList<>(fields));
            }
        });
        Schema<?> batchResult = schemas.get("BatchResult");
        if (batchResult != null) {
            batchResult.addProperty("change_cursor", new StringSchema().description("completed batches: the change-feed "
                    + "position that includes this batch's changes (the feed's next_cursor right after them)"));
        }
        NULLABLE.forEach((name, fields) -> {
            Schema<?> schema = schemas.get(name);
            if (schema != null) {
                fields.forEach(field -> nullable((Schema<?>) schema.getProperties().get(field)));
            }
        });
        DESCRIPTIONS.forEach((name, fields) -> {
            Schema<?> schema = schemas.get(name);
            if (schema != null && schema.getProperties() != null) {
                fields.forEach((field, text) -> {
                    Schema<?> property = (Schema<?>) schema.getProperties().get(field);
                    if (property != null) {
                        property.setDescription(text);
                    }
                });
            }
        });
        Set<String> tags = new LinkedHashSet<>();
        openApi.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
            operation.setTags(operation.getTags() == null ? null
                    : operation.getTags().stream().map(t -> TAGS.getOrDefault(t, t.replace("-controller", ""))).toList());
            if (operation.getTags() != null) {
                tags.addAll(operation.getTags());
            }
            describe(path, method, operation);
        }));
        openApi.setTags(tags.stream().map(t -> new Tag().name(t).description(TAG_DESCRIPTIONS.get(t))).toList());
    }

    private static void describe(String path, PathItem.HttpMethod method, Operation operation) {
        ApiResponses responses = operation.getResponses();
        responses.values().forEach(OpenApiPrecision::jsonInsteadOfAny);
        if (responses.containsKey("204")) {
            responses.get("204").setContent(null);
        }
        boolean write = method != PathItem.HttpMethod.GET;
        boolean batch = path.equals("/api/v1/documents/batch");
        boolean singleDocument = path.endsWith("/{documentId}");

        if (responses.containsKey("202")) {
            responses.get("202").addHeaderObject("Location", header("Where to poll the batch: /api/v1/batches/{id}"));
            responses.get("202").addHeaderObject("Preference-Applied",
                    header("respond-async when the 202 answers Prefer: respond-async"));
        }
        if (responses.containsKey("201")) {
            responses.get("201").addHeaderObject("Location", header("The new document"));
            responses.get("201").addHeaderObject("ETag", header("\"<version>\""));
        }
        if (method == PathItem.HttpMethod.GET && singleDocument) {
            responses.get("200").addHeaderObject("ETag", header("\"<version>\""));
            responses.addApiResponse("410", new ApiResponse().description("deleted: the last state")
                    .content(json(JSON, ref("DocumentView"))).addHeaderObject("ETag", header("\"<version>\"")));
        }
        if (method == PathItem.HttpMethod.PUT) {
            responses.get("200").addHeaderObject("ETag", header("\"<version>\""));
        }
        if (operation.getParameters() != null) {
            operation.getParameters().forEach(OpenApiPrecision::describeHeader);
            operation.getParameters().forEach(OpenApiPrecision::describeLiveQuery);
        }
        boolean live = path.endsWith("/changes") || path.endsWith("/changes/stream");

        problem(responses, "400", "malformed request, with a pointer to each problem");
        problem(responses, "401", "missing, invalid or expired token");
        problem(responses, "404", write ? "unknown document or workspace" : "unknown, or not in the caller's workspaces");
        if (write) {
            problem(responses, "403", "the caller may not write to this workspace");
            problem(responses, "413", "more than 100 operations or a body over 10 MiB");
            problem(responses, "503", "the log is unavailable: nothing was appended (or outcome unknown); "
                    + "retry after Retry-After with the same Idempotency-Key")
                    .addHeaderObject("Retry-After", header("seconds"));
        } else {
            problem(responses, "503", "PostgreSQL is unavailable").addHeaderObject("Retry-After", header("seconds"));
        }
        problem(responses, "429", live ? "rate limited, or this actor holds as many long-polls and streams as it may"
                : "rate limited").addHeaderObject("Retry-After", header("seconds"));
        if (live) {
            responses.get("503").description("PostgreSQL is unavailable, or this instance holds as many long-polls "
                    + "and streams as it may");
        }
        if (batch) {
            problem(responses, "422", "Idempotency-Key reused with another body");
        }
        if (write && !batch) {
            problem(responses, "409", "a document with this id exists");
            problem(responses, "410", "the document is deleted");
            problem(responses, "422", "the operation cannot be applied");
            if (method != PathItem.HttpMethod.POST) {
                problem(responses, "412", "If-Match is stale: current carries the document as it is");
                problem(responses, "428", "If-Match is required");
            }
        }
    }

    private static void describeHeader(Parameter parameter) {
        if (!"header".equals(parameter.getIn())) {
            return;
        }
        switch (parameter.getName()) {
            case "Idempotency-Key" -> parameter.description("1–255 visible ASCII characters, scoped to (actor, "
                    + "workspace): a retry with the same key and body answers with the original batch, never applies twice")
                    .getSchema().maxLength(255).minLength(1);
            case "Prefer" -> parameter.description("respond-async (answer 202 once durable) and/or wait=N "
                    + "(seconds to wait for the result; default 30, at most 120)");
            case "If-Match" -> parameter.description("\"<version>\" the change is based on, or *");
            case "Last-Event-ID" -> parameter.description("the id of the last event received: the stream resumes "
                    + "after it (takes precedence over since)");
            default -> { }
        }
    }

    /** {@code wait} and {@code include} are read as text (so that any value gets a pointer); say what they take. */
    private static void describeLiveQuery(Parameter parameter) {
        if (!"query".equals(parameter.getIn())) {
            return;
        }
        switch (parameter.getName()) {
            case "wait" -> parameter.schema(new IntegerSchema().minimum(java.math.BigDecimal.ZERO)
                    .maximum(java.math.BigDecimal.valueOf(60)));
            case "include" -> parameter.schema(new StringSchema()._enum(List.of("state")));
            default -> { }
        }
    }

    private static void jsonInsteadOfAny(ApiResponse response) {
        Content content = response.getContent();
        if (content != null && content.containsKey("*/*")) {
            MediaType any = content.remove("*/*");
            content.addMediaType(JSON, any);
        }
    }

    private static ApiResponse problem(ApiResponses responses, String status, String description) {
        return responses.computeIfAbsent(status, s -> new ApiResponse().description(description)
                .content(json(PROBLEM_JSON, ref(PROBLEM))));
    }

    private static Content json(String mediaType, Schema<?> schema) {
        return new Content().addMediaType(mediaType, new MediaType().schema(schema));
    }

    private static Schema<?> ref(String name) {
        return new Schema<>().$ref(SCHEMAS + name);
    }

    private static Header header(String description) {
        return new Header().description(description).schema(new StringSchema());
    }

    private static Parameter headerParameter(String name, String description) {
        return new HeaderParameter().name(name).description(description).required(false).schema(new StringSchema());
    }

    private static void nullable(Schema<?> property) {
        if (property == null) {
            return;
        }
        Set<String> types = new LinkedHashSet<>(property.getTypes() == null ? Set.of() : property.getTypes());
        if (property.getType() != null) {
            types.add(property.getType());
        }
        types.add("null");
        property.setTypes(types);
    }

    /** RFC 9457 problem details as docsync sends them. */
    private static Schema<?> problemSchema() {
        Map<String, Schema> properties = new LinkedHashMap<>();
        properties.put("type", new StringSchema().description("a URI naming the kind of problem"));
        properties.put("title", new StringSchema());
        properties.put("status", new IntegerSchema());
        properties.put("detail", new StringSchema());
        properties.put("instance", new StringSchema());
        properties.put("errors", new ArraySchema().items(new ObjectSchema()
                .addProperty("pointer", new StringSchema().description("JSON Pointer into the request"))
                .addProperty("message", new StringSchema())
                .required(List.of("pointer", "message"))).description("validation problems (400)"));
        properties.put("current", ref("DocumentView").description("the document as it is (412)"));
        properties.put("outcome", new StringSchema().description("\"unknown\" on a 503 whose append may have "
                + "committed: retry with the same Idempotency-Key"));
        Schema<?> schema = new ObjectSchema().description("RFC 9457 problem details");
        schema.setProperties(properties);
        return schema;
    }
}
