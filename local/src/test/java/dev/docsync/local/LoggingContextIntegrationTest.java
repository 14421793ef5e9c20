package dev.docsync.local;

import static dev.docsync.local.Batches.batch;
import static dev.docsync.local.Batches.create;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@code batch_id} and {@code workspace_id} are in the logging context (MDC) while ingest appends and waits and
 * while the worker applies the batch (structured JSON logs carry the MDC as fields). Removal is by
 * try-with-resources around exactly that scope.
 */
class LoggingContextIntegrationTest {

    private static final TestStack stack = TestStack.get();
    private static final List<String> LOGGERS = List.of("dev.docsync.ingest.batch.BatchSubmission",
            "dev.docsync.worker.apply.BatchMdc");

    private final ListAppender<ILoggingEvent> events = new ListAppender<>();

    @BeforeEach
    void capture() {
        events.start();
        LOGGERS.forEach(name -> {
            Logger logger = (Logger) LoggerFactory.getLogger(name);
            logger.setLevel(Level.DEBUG);
            logger.addAppender(events);
        });
    }

    @AfterEach
    void release() {
        LOGGERS.forEach(name -> {
            Logger logger = (Logger) LoggerFactory.getLogger(name);
            logger.detachAppender(events);
            logger.setLevel(null);
        });
    }

    @Test
    void ingestAndWorkerLogWithTheBatchAndWorkspaceInTheirContext() {
        String ws = Batches.workspace("ws_mdc");
        Api.Response response = stack.api.postBatch(stack.editor("logger", ws),
                batch(ws, List.of(create("a", "doc", "Logged"))));
        assertThat(response.status()).isEqualTo(200);
        String batchId = response.json().get("batch_id").asString();
        Map<String, String> expected = Map.of("batch_id", batchId, "workspace_id", ws);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events.list)
                .filteredOn(e -> e.getMDCPropertyMap().entrySet().containsAll(expected.entrySet()))
                .extracting(ILoggingEvent::getLoggerName)
                .contains("dev.docsync.ingest.batch.BatchSubmission", "dev.docsync.worker.apply.BatchMdc"));
    }
}
