package dev.docsync.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DocsyncJsonTest {

    @Test
    void anEventRoundTripsWithSnakeCaseFieldsAndMillisecondTimes() {
        OperationEvent event = new OperationEvent(1, UUID.fromString("0193f0c2-0000-7000-8000-000000000001"), "ws_acme",
                0, 2, true, "user-1", Instant.parse("2026-11-25T10:00:00Z"), "op_1", OperationType.CREATE, "d-1",
                null, new DocumentData("T", "C", null));

        String json = DocsyncJson.mapper().writeValueAsString(event);

        assertThat(json).contains("\"batch_id\":\"0193f0c2-0000-7000-8000-000000000001\"",
                "\"stamped_at\":\"2026-11-25T10:00:00.000Z\"", "\"operation\":\"create\"", "\"yjs_state_b64\":null");
        assertThat(DocsyncJson.mapper().readValue(json, OperationEvent.class)).isEqualTo(event);
    }

    @Test
    void formatsEveryInstantAsTheMillisecondFormatterDoes() {
        java.time.format.DateTimeFormatter formatter = java.time.format.DateTimeFormatter
                .ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);
        java.util.Random random = new java.util.Random(24);
        java.util.List<Instant> instants = new java.util.ArrayList<>(java.util.List.of(Instant.EPOCH,
                Instant.ofEpochMilli(-1), Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("-0001-12-31T23:59:59.999Z"),
                Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("2024-02-29T23:59:59.9999Z")));
        for (int i = 0; i < 50_000; i++) {
            instants.add(Instant.ofEpochSecond(random.nextLong(-70_000_000_000L, 300_000_000_000L),
                    random.nextInt(1_000_000_000)));
        }
        for (Instant instant : instants) {
            String expected = formatter.format(instant);
            String actual = DocsyncJson.formatInstant(instant);
            if (!actual.equals(expected)) {
                assertThat(actual).as("%s", instant).isEqualTo(expected);
            }
        }
    }

    @Test
    void aCompletedBatchCountsEveryNonSuccessAsFailed() {
        var ok = new OperationResult("a", OperationType.CREATE, ResultStatus.SUCCESS, "d", 1L, null, null);
        var conflict = new OperationResult("b", OperationType.UPDATE, ResultStatus.CONFLICT, "e", 4L,
                new ErrorInfo(ErrorCode.VERSION_CONFLICT, "base_version 3, current version 4"), null);
        var skipped = new OperationResult("c", OperationType.DELETE, ResultStatus.SKIPPED, "f", null,
                new ErrorInfo(ErrorCode.ATOMIC_BATCH_FAILED, "atomic batch failed"), null);

        BatchResult result = BatchResult.completed(UUID.randomUUID(), "ws", true, java.util.List.of(ok, conflict, skipped));

        assertThat(result.total()).isEqualTo(3);
        assertThat(result.successful()).isEqualTo(1);
        assertThat(result.failed()).isEqualTo(2);
        String json = DocsyncJson.mapper().writeValueAsString(result);
        assertThat(json).contains("\"status\":\"completed\"", "\"code\":\"version_conflict\"", "\"status\":\"skipped\"")
                .doesNotContain("processing_time_ms", "\"current\"");
    }

    @Test
    void aMergedResultCountsAsSuccessfulAndSaysHowItMerged() {
        var merged = new OperationResult("a", OperationType.UPDATE, ResultStatus.MERGED, "d", 5L, null, null, null,
                MergeInfo.merged("diff3-lines/1", 3));
        var conflict = new OperationResult("b", OperationType.UPDATE, ResultStatus.CONFLICT, "e", 4L,
                new ErrorInfo(ErrorCode.MERGE_CONFLICT, "title changed on both sides"), null, null,
                new MergeInfo("diff3-lines/1", 2, java.util.List.of("title"), java.util.List.of(), false));

        BatchResult result = BatchResult.completed(UUID.randomUUID(), "ws", false, java.util.List.of(merged, conflict));

        assertThat(result.successful()).isEqualTo(1);
        assertThat(result.failed()).isEqualTo(1);
        String json = DocsyncJson.mapper().writeValueAsString(result);
        assertThat(json).contains("\"status\":\"merged\"", "\"code\":\"merge_conflict\"",
                "\"merge\":{\"algorithm\":\"diff3-lines/1\",\"from_base_version\":3}",
                "\"fields\":[\"title\"]").doesNotContain("hunks");
        assertThat(DocsyncJson.mapper().readValue(json, BatchResult.class)).isEqualTo(result);
    }

    @Test
    void anEventCarriesOnConflictOnlyWhenItMerges() {
        OperationEvent report = new OperationEvent(1, UUID.randomUUID(), "ws", 0, 1, false, "a",
                Instant.parse("2026-11-25T10:00:00Z"), "op", OperationType.UPDATE, "d", 2L, null, null);
        OperationEvent merge = new OperationEvent(1, report.batchId(), "ws", 0, 1, false, "a", report.stampedAt(),
                "op", OperationType.UPDATE, "d", 2L, null, null, OnConflict.MERGE);

        String reportJson = DocsyncJson.mapper().writeValueAsString(report);
        String mergeJson = DocsyncJson.mapper().writeValueAsString(merge);

        assertThat(reportJson).doesNotContain("on_conflict");
        assertThat(mergeJson).contains("\"on_conflict\":\"merge\"");
        assertThat(DocsyncJson.mapper().readValue(reportJson, OperationEvent.class).onConflict())
                .isEqualTo(OnConflict.REPORT);
        assertThat(DocsyncJson.mapper().readValue(mergeJson, OperationEvent.class)).isEqualTo(merge);
    }
}
