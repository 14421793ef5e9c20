package dev.docsync.ingest.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.docsync.contracts.BatchRequest;
import dev.docsync.contracts.DocumentData;
import dev.docsync.contracts.FieldError;
import dev.docsync.contracts.OnConflict;
import dev.docsync.contracts.OperationRequest;
import dev.docsync.ingest.batch.BatchRequestParser.Invalid;
import dev.docsync.ingest.batch.BatchRequestParser.Parsed;
import dev.docsync.ingest.batch.BatchRequestParser.TooManyOperations;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatchRequestParserTest {

    /** DESIGN §3's limits, which are {@code IngestProperties}' defaults. */
    private final BatchRequestParser parser = new BatchRequestParser(BatchRequestParser.Limits.of(100, 1024,
            10 * 1024 * 1024, 10 * 1024 * 1024));

    private BatchRequestParser.Outcome parse(String json) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private List<String> pointers(String json) {
        BatchRequestParser.Outcome outcome = parse(json);
        assertThat(outcome).isInstanceOf(Invalid.class);
        return ((Invalid) outcome).errors().stream().map(FieldError::pointer).toList();
    }

    @Test
    void parsesAValidBatchKeepingRequestOrder() {
        var outcome = parse("""
                {"workspace_id": "ws_acme", "atomic": true, "operations": [
                  {"client_id": "op_1", "operation": "create", "data": {"title": "New", "content": "# Hello", "yjs_state_b64": "AQID"}},
                  {"client_id": "op_2", "operation": "update", "document_id": "d-42", "base_version": 3, "data": {"title": "Renamed"}},
                  {"client_id": "op_3", "operation": "delete", "document_id": "d-7", "base_version": 1}
                ]}""");

        assertThat(outcome).isInstanceOf(Parsed.class);
        BatchRequest request = ((Parsed) outcome).request();
        assertThat(request.workspaceId()).isEqualTo("ws_acme");
        assertThat(request.atomic()).isTrue();
        assertThat(request.operations()).extracting(OperationRequest::clientId).containsExactly("op_1", "op_2", "op_3");
        assertThat(request.operations().get(0).documentId()).isNull();
        assertThat(request.operations().get(1).baseVersion()).isEqualTo(3L);
        assertThat(request.operations().get(1).data()).isEqualTo(new DocumentData("Renamed", null, null));
        assertThat(request.operations().get(2).data()).isEqualTo(DocumentData.EMPTY);
    }

    @Test
    void pointsAtTheMisspelledOperationOfTheFourthEntry() {
        assertThat(pointers("""
                {"workspace_id": "ws", "operations": [
                  {"client_id": "a", "operation": "create"},
                  {"client_id": "b", "operation": "create"},
                  {"client_id": "c", "operation": "create"},
                  {"client_id": "d", "operation": "Update", "document_id": "x"}
                ]}""")).containsExactly("/operations/3/operation");
    }

    @Test
    void aTypoInBaseVersionIsAnErrorNotAnUnconditionalWrite() {
        assertThat(pointers("""
                {"workspace_id": "ws", "operations": [
                  {"client_id": "a", "operation": "update", "document_id": "x", "base_versoin": 2}
                ]}""")).containsExactly("/operations/0/base_versoin");
    }

    @Test
    void rejectsDuplicateClientIdsAtTheSecondUse() {
        assertThat(pointers("""
                {"workspace_id": "ws", "operations": [
                  {"client_id": "a", "operation": "create"},
                  {"client_id": "a", "operation": "create"}
                ]}""")).containsExactly("/operations/1/client_id");
    }

    @Test
    void reportsEveryStructuralMistakeWithItsPointer() {
        assertThat(pointers("""
                {"workspace_id": "bad id!", "atomic": "yes", "operations": [
                  {"client_id": "", "operation": "update"},
                  {"client_id": "b", "operation": "delete", "document_id": "x", "base_version": 0, "data": {}},
                  {"client_id": "c", "operation": "create", "base_version": 1, "data": {"title": 5, "yjs_state_b64": "***", "x": 1}},
                  7
                ]}""")).containsExactlyInAnyOrder(
                "/workspace_id", "/atomic",
                "/operations/0/client_id", "/operations/0/document_id",
                "/operations/1/base_version", "/operations/1/data",
                "/operations/2/base_version", "/operations/2/data/title", "/operations/2/data/yjs_state_b64",
                "/operations/2/data/x",
                "/operations/3");
    }

    @Test
    void yjsStateMustBePaddedBase64() {
        for (String bad : new String[] {"abc", "***", "QQ=Q", "AQID\n", "AQ"}) {
            assertThat(pointers("""
                    {"workspace_id": "ws", "operations": [{"client_id": "a", "operation": "create", "data": {"yjs_state_b64": "%s"}}]}"""
                    .formatted(bad))).as(bad).containsExactly("/operations/0/data/yjs_state_b64");
        }
        assertThat(parse("""
                {"workspace_id": "ws", "operations": [{"client_id": "a", "operation": "create", "data": {"yjs_state_b64": "AQ=="}}]}"""))
                .isInstanceOf(Parsed.class);
    }

    @Test
    void rejectsATitleOverTheLimit() {
        String title = "t".repeat(1025);
        assertThat(pointers("""
                {"workspace_id": "ws", "operations": [{"client_id": "a", "operation": "create", "data": {"title": "%s"}}]}"""
                .formatted(title))).containsExactly("/operations/0/data/title");
    }

    @Test
    void rejectsDuplicateKeysTrailingDataAndEmptyOperations() {
        assertThat(pointers("{\"workspace_id\": \"ws\", \"workspace_id\": \"ws2\", \"operations\": []}")).hasSize(1);
        assertThat(pointers("{\"workspace_id\": \"ws\", \"operations\": [{\"client_id\": \"a\", \"operation\": \"create\"}]} {}"))
                .hasSize(1);
        assertThat(pointers("{\"workspace_id\": \"ws\", \"operations\": []}")).containsExactly("/operations");
        assertThat(pointers("")).containsExactly("");
        assertThat(pointers("[1]")).containsExactly("");
    }

    @Test
    void moreThanTheMaximumOfOperationsIsTooLarge() {
        String ops = IntStream.range(0, 101)
                .mapToObj(i -> "{\"client_id\": \"c" + i + "\", \"operation\": \"create\"}")
                .collect(Collectors.joining(","));
        assertThat(parse("{\"workspace_id\": \"ws\", \"operations\": [" + ops + "]}"))
                .isEqualTo(new TooManyOperations(101, 100));
    }

    @Test
    void onConflictIsReportUnlessTheBatchAsksToMerge() {
        String ops = "\"operations\": [{\"client_id\": \"a\", \"operation\": \"create\"}]";

        var absent = parse("{\"workspace_id\": \"ws\", " + ops + "}");
        var merge = parse("{\"workspace_id\": \"ws\", \"on_conflict\": \"merge\", " + ops + "}");
        var report = parse("{\"workspace_id\": \"ws\", \"on_conflict\": \"report\", " + ops + "}");

        assertThat(((Parsed) absent).request().onConflict()).isEqualTo(OnConflict.REPORT);
        assertThat(((Parsed) merge).request().onConflict()).isEqualTo(OnConflict.MERGE);
        assertThat(((Parsed) report).request().onConflict()).isEqualTo(OnConflict.REPORT);
    }

    @Test
    void anOnConflictOtherThanReportOrMergeIsRejectedWithItsPointer() {
        String ops = "\"operations\": [{\"client_id\": \"a\", \"operation\": \"create\"}]";
        for (String value : List.of("\"Merge\"", "\"theirs\"", "\"\"", "null", "true", "1", "[\"merge\"]",
                "{\"mode\": \"merge\"}")) {
            BatchRequestParser.Outcome outcome = parse("{\"workspace_id\": \"ws\", \"on_conflict\": " + value
                    + ", " + ops + "}");
            assertThat(outcome).as(value).isInstanceOf(Invalid.class);
            assertThat(((Invalid) outcome).errors()).as(value).singleElement().satisfies(error -> {
                assertThat(error.pointer()).isEqualTo("/on_conflict");
                assertThat(error.message()).contains("report", "merge");
            });
        }
    }
}
