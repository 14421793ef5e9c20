package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §6.8: hostile load from one token cannot exhaust an instance's memory. Eight concurrent 8–10 MiB
 * hostile bodies and a body of 400,000 unknown fields get small 4xx (or 503) answers — 429 for those beyond the
 * actor's share of the body budget —, and a normal request is still served promptly.
 */
class HostileLoadIntegrationTest {

    private final TestStack stack = TestStack.get();

    @Test
    void bigHostileBodiesGetSmallAnswersAndNormalRequestsAreStillServed() {
        String ws = Batches.workspace("ws_hostile_load");
        String token = stack.editor("hostile", ws);
        StringBuilder fields = new StringBuilder("{\"workspace_id\": \"" + ws + "\"");
        for (int i = 0; i < 400_000; i++) {
            fields.append(", \"f").append(i).append("\": 0");
        }
        String manyUnknownFields = fields.append(", \"operations\": []}").toString();
        resetPeaks();

        List<Api.Response> answers;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<Api.Response>> sent = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                byte[] body = hostileBody(ws, 8 * 1024 * 1024 + i * 256 * 1024);
                sent.add(CompletableFuture.supplyAsync(() -> stack.api.postBatchBytes(token, body), pool));
            }
            // Another actor: the hostile one's bodies may fill its share of the body budget (then 429), and this
            // request is here to be parsed, not to be turned away.
            String other = stack.editor("hostile-fields", ws);
            sent.add(CompletableFuture.supplyAsync(() -> stack.api.postBatch(other, manyUnknownFields), pool));
            answers = sent.stream().map(CompletableFuture::join).toList();
        }
        long started = System.nanoTime();
        Api.Response normal = stack.api.postBatch(token, batch(ws, List.of(create("ok", "fine", "Fine"))));
        long normalMillis = (System.nanoTime() - started) / 1_000_000;

        System.out.printf("HOSTILE LOAD answers %s; normal request %d ms; heap peak %d MiB%n",
                answers.stream().map(Api.Response::status).toList(), normalMillis, heapPeakMib());
        for (Api.Response answer : answers) {
            assertThat(answer.status()).as(answer.text().substring(0, Math.min(200, answer.text().length())))
                    .isIn(400, 413, 429, 503);
            assertThat(answer.text().length()).as("error answer size").isLessThan(64 * 1024);
        }
        Api.Response unknownFields = answers.getLast();
        assertThat(unknownFields.json().get("errors")).hasSize(100);
        assertThat(unknownFields.json().get("error_count").asInt()).isEqualTo(400_001);
        assertThat(normal.status()).isEqualTo(200);
        assertThat(normalMillis).as("a normal request after the hostile ones").isLessThan(10_000);
        assertThat(stack.log.committedRecords(ws::equals)).as("only the normal request appended").hasSize(1);
    }

    /** A batch whose one create carries a title of {@code size} bytes: far over the 1,024-character limit. */
    private static byte[] hostileBody(String ws, int size) {
        String head = "{\"workspace_id\": \"" + ws + "\", \"operations\": [{\"client_id\": \"h\", \"operation\": "
                + "\"create\", \"data\": {\"title\": \"";
        String tail = "\"}}]}";
        StringBuilder body = new StringBuilder(size).append(head);
        body.append("t".repeat(size - head.length() - tail.length())).append(tail);
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void resetPeaks() {
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    private static long heapPeakMib() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum() / (1024 * 1024);
    }
}
