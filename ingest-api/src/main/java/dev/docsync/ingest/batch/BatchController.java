package dev.docsync.ingest.batch;

import dev.docsync.contracts.BatchAnswer;
import dev.docsync.contracts.BatchRequest;
import dev.docsync.contracts.BatchResult;
import dev.docsync.ingest.IngestProperties;
import dev.docsync.ingest.security.Caller;
import dev.docsync.ingest.security.WorkspaceAccess;
import dev.docsync.ingest.web.AnswerBudget;
import dev.docsync.ingest.web.ApiProblem;
import dev.docsync.ingest.web.RequestBodies;
import dev.docsync.projection.batches.BatchReader;
import dev.docsync.projection.batches.ResultRetention;
import dev.docsync.projection.batches.StoredBatch;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

@RestController
class BatchController {

    private final BatchRequestParser parser;
    private final BatchSubmission submission;
    private final BatchReader reader;
    private final WorkspaceAccess access;
    private final IngestProperties properties;
    private final RequestBodies bodies;
    private final AnswerBudget answers;
    private final ResultRetention retention;
    private final Clock clock;

    BatchController(BatchRequestParser parser, BatchSubmission submission, BatchReader reader,
            WorkspaceAccess access, IngestProperties properties, RequestBodies bodies, AnswerBudget answers,
            ResultRetention retention, Clock clock) {
        this.answers = answers;
        this.retention = retention;
        this.clock = clock;
        this.parser = parser;
        this.submission = submission;
        this.reader = reader;
        this.access = access;
        this.properties = properties;
        this.bodies = bodies;
    }

    @Operation(summary = "Submit a batch: 200 with per-operation results, or 202 + Location while pending",
            requestBody = @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = BatchRequest.class))))
    @ApiResponse(responseCode = "200", description = "applied",
            content = @Content(schema = @Schema(implementation = BatchResult.class)))
    @ApiResponse(responseCode = "202", description = "durable in the log, not applied yet; poll the Location",
            content = @Content(schema = @Schema(implementation = BatchResult.class)))
    @PostMapping(path = "/api/v1/documents/batch", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<BatchAnswer> submit(HttpServletRequest http, @AuthenticationPrincipal Jwt jwt,
            @RequestHeader(name = "Prefer", required = false) String prefer,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
        long started = System.nanoTime();
        Preferences preferences = Preferences.parse(prefer, properties.syncWait(), properties.maxSyncWait());
        // append() returns before the wait: the body and its parsed operations are garbage while the caller waits.
        BatchSubmission.Outcome outcome = submission.answer(append(http, jwt, preferences, idempotencyKey));

        // An applied batch whose answer does not fit the answer budget now answers 202 + Location (never 429/503:
        // it has applied); the poll is bounded like any read.
        if (outcome.applied().isPresent() && answers.tryReserve(http, answerBytes(outcome.applied().get()))) {
            long millis = (System.nanoTime() - started) / 1_000_000;
            return ResponseEntity.ok(outcome.applied().get().withProcessingTimeMs(millis));
        }
        ResponseEntity.BodyBuilder accepted = ResponseEntity.accepted()
                .location(URI.create("/api/v1/batches/" + outcome.batch().batchId()));
        if (preferences.respondAsync()) {
            accepted.header("Preference-Applied", "respond-async");
        }
        return accepted.body(BatchAnswer.pending(outcome.batch().batchId(), outcome.batch().workspaceId()));
    }

    private BatchSubmission.Submitted append(HttpServletRequest http, Jwt jwt, Preferences preferences,
            String idempotencyKey) {
        Caller caller = Caller.from(jwt);
        access.requireWriteSomewhere(caller);
        byte[] body = bodies.read(http);
        BatchRequest request = switch (parser.parse(body)) {
            case BatchRequestParser.Parsed parsed -> parsed.request();
            case BatchRequestParser.Invalid invalid -> throw ApiProblem.invalid(invalid);
            case BatchRequestParser.TooManyOperations tooMany -> throw ApiProblem.tooLarge(
                    "a batch holds at most " + tooMany.max() + " operations; this one has " + tooMany.count());
        };
        access.requireWrite(caller, request.workspaceId());
        return submission.append(request, caller.actor(), preferences, IdempotencyKeyHeader.parse(idempotencyKey, body));
    }

    @ApiResponse(responseCode = "200", description = "OK",
            content = @Content(schema = @Schema(implementation = BatchResult.class)))
    @GetMapping("/api/v1/batches/{batchId}")
    BatchAnswer poll(@PathVariable String batchId, @AuthenticationPrincipal Jwt jwt, HttpServletRequest http) {
        Caller caller = Caller.from(jwt);
        Optional<UUID> id = parseUuid(batchId);
        BatchAnswer answer = id
                .flatMap(reader::find)
                .filter(batch -> access.canRead(caller, batch.workspaceId()))
                .map(StoredBatch::answer)
                .orElseThrow(() -> id.filter(uuid -> retention.expired(uuid, clock.instant()))
                        .map(uuid -> ApiProblem.of(HttpStatus.NOT_FOUND, "batch-expired", "batch " + batchId
                                + " was stamped at " + ResultRetention.stampOf(uuid).orElseThrow()
                                + "; results are kept for " + retention.results() + " after their stamp, so its result"
                                + " (if there was one) has been pruned"))
                        .orElseGet(() -> ApiProblem.notFound("no batch " + batchId)));
        answers.reserve(http, answerBytes(answer));
        return answer;
    }

    /** The bytes a batch answer holds while it is written: its stored results and the fields around them. */
    private static long answerBytes(BatchAnswer answer) {
        return 512 + (answer.results() == null ? 0 : answer.results().length());
    }

    private static Optional<UUID> parseUuid(String value) {
        try {
            return Optional.of(UUID.fromString(value));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
