package dev.docsync.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The stored-text answer must be the same document as the value it was stored from, or clients see two APIs. */
class BatchAnswerTest {

    private static final UUID BATCH = UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e");

    private final DocumentView current = new DocumentView("note-1", "ws_a", 3, "Tab\there \"quoted\" \\ é 😀",
            "# body\n", null, false, Instant.parse("2026-11-25T10:00:00.123Z"), Instant.parse("2026-11-25T10:01:00Z"),
            "alice");
    private final List<OperationResult> results = List.of(
            new OperationResult("op_1", OperationType.CREATE, ResultStatus.SUCCESS, "note-2", 1L, null, null, null),
            new OperationResult("op_2", OperationType.UPDATE, ResultStatus.CONFLICT, "note-1", null,
                    new ErrorInfo(ErrorCode.VERSION_CONFLICT, "base_version 1, current 3"), current, null),
            new OperationResult("op_3", OperationType.UPDATE, ResultStatus.CONFLICT, "note-1", null,
                    new ErrorInfo(ErrorCode.VERSION_CONFLICT, "base_version 2, current 3"), null, true));

    @Test
    void aCompletedAnswerIsTheSameDocumentAsItsResult() {
        BatchResult result = BatchResult.completed(BATCH, "ws_a", false, results).withProcessingTimeMs(12);
        String stored = DocsyncJson.mapper().writeValueAsString(results);

        BatchAnswer answer = BatchAnswer.completed(BATCH, "ws_a", false, result.total(), result.successful(), stored)
                .withProcessingTimeMs(12);

        assertThat(tree(answer)).isEqualTo(tree(result));
        assertThat(answer.operationResults()).isEqualTo(results);
    }

    @Test
    void aPendingAnswerIsTheSameDocumentAsAPendingResult() {
        assertThat(tree(BatchAnswer.pending(BATCH, "ws_a"))).isEqualTo(tree(BatchResult.pending(BATCH, "ws_a")));
        assertThat(BatchAnswer.pending(BATCH, "ws_a").operationResults()).isEmpty();
    }

    private static JsonNode tree(Object value) {
        return DocsyncJson.mapper().readTree(DocsyncJson.mapper().writeValueAsString(value));
    }
}
