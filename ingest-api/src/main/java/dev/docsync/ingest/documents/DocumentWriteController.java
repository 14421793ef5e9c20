package dev.docsync.ingest.documents;

import dev.docsync.contracts.BatchResult;
import dev.docsync.contracts.DocumentData;
import dev.docsync.contracts.DocumentView;
import dev.docsync.contracts.OperationRequest;
import dev.docsync.contracts.OperationResult;
import dev.docsync.contracts.OperationType;
import dev.docsync.contracts.ResultStatus;
import dev.docsync.ingest.batch.BatchRequestParser;
import dev.docsync.ingest.batch.SingleOperations;
import dev.docsync.ingest.security.Caller;
import dev.docsync.ingest.security.WorkspaceAccess;
import dev.docsync.ingest.web.AnswerBudget;
import dev.docsync.ingest.web.ApiProblem;
import dev.docsync.ingest.web.RequestBodies;
import dev.docsync.projection.documents.DocumentReader;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * The "one request per document" path (DESIGN §3.4): each call is a one-operation batch on the same log,
 * answered with HTTP semantics — 201/200/204 with {@code ETag}, 412 with the current document for a stale
 * {@code If-Match}, 428 without one.
 */
@RestController
class DocumentWriteController {

    private static final String DOCUMENTS = "/api/v1/workspaces/{workspaceId}/documents";

    private final BatchRequestParser parser;
    private final SingleOperations operations;
    private final DocumentReader documents;
    private final WorkspaceAccess access;
    private final RequestBodies bodies;
    private final AnswerBudget answers;

    DocumentWriteController(BatchRequestParser parser, SingleOperations operations, DocumentReader documents,
            WorkspaceAccess access, RequestBodies bodies, AnswerBudget answers) {
        this.answers = answers;
        this.parser = parser;
        this.operations = operations;
        this.documents = documents;
        this.access = access;
        this.bodies = bodies;
    }

    @Operation(summary = "Create one document (a one-operation batch)", requestBody = @RequestBody(required = true,
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = NewDocument.class))))
    @ApiResponse(responseCode = "201", description = "created",
            content = @Content(schema = @Schema(implementation = DocumentView.class)))
    @ApiResponse(responseCode = "202", description = "durable in the log, not applied yet",
            content = @Content(schema = @Schema(implementation = BatchResult.class)))
    @PostMapping(path = DOCUMENTS, consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<?> create(@PathVariable String workspaceId, HttpServletRequest http,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
            @AuthenticationPrincipal Jwt jwt) {
        // The append returns before the wait: the body and the parsed document are garbage while the caller waits.
        return answer(workspaceId, appendCreate(workspaceId, http, idempotencyKey, jwt), HttpStatus.CREATED, http);
    }

    private SingleOperations.Appended appendCreate(String workspaceId, HttpServletRequest http, String idempotencyKey,
            Jwt jwt) {
        Caller caller = writer(jwt, workspaceId);
        byte[] bytes = bodies.read(http);
        BatchRequestParser.ParsedDocument body = parse(bytes, true);
        return operations.append(workspaceId, caller.actor(), new OperationRequest(null, OperationType.CREATE,
                body.documentId(), null, body.data()), idempotencyKey, identity(http, null, bytes));
    }

    @Operation(summary = "Change the given fields of one document; If-Match required",
            requestBody = @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = DocumentData.class))))
    @ApiResponse(responseCode = "200", description = "updated",
            content = @Content(schema = @Schema(implementation = DocumentView.class)))
    @ApiResponse(responseCode = "202", description = "durable in the log, not applied yet",
            content = @Content(schema = @Schema(implementation = BatchResult.class)))
    @PutMapping(path = DOCUMENTS + "/{documentId}", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<?> update(@PathVariable String workspaceId, @PathVariable String documentId,
            @RequestHeader(name = "If-Match", required = false) String ifMatch,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey, HttpServletRequest http,
            @AuthenticationPrincipal Jwt jwt) {
        return answer(workspaceId, appendUpdate(workspaceId, documentId, ifMatch, idempotencyKey, http, jwt),
                HttpStatus.OK, http);
    }

    private SingleOperations.Appended appendUpdate(String workspaceId, String documentId, String ifMatch,
            String idempotencyKey, HttpServletRequest http, Jwt jwt) {
        Caller caller = writer(jwt, workspaceId);
        Long baseVersion = IfMatch.parse(ifMatch);
        byte[] bytes = bodies.read(http);
        BatchRequestParser.ParsedDocument body = parse(bytes, false);
        return operations.append(workspaceId, caller.actor(), new OperationRequest(null, OperationType.UPDATE,
                documentId, baseVersion, body.data()), idempotencyKey, identity(http, ifMatch, bytes));
    }

    @Operation(summary = "Delete one document; If-Match required")
    @ApiResponse(responseCode = "204", description = "deleted")
    @ApiResponse(responseCode = "202", description = "durable in the log, not applied yet",
            content = @Content(schema = @Schema(implementation = BatchResult.class)))
    @DeleteMapping(DOCUMENTS + "/{documentId}")
    ResponseEntity<?> delete(@PathVariable String workspaceId, @PathVariable String documentId,
            @RequestHeader(name = "If-Match", required = false) String ifMatch,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
            HttpServletRequest http, @AuthenticationPrincipal Jwt jwt) {
        Caller caller = writer(jwt, workspaceId);
        Long baseVersion = IfMatch.parse(ifMatch);
        return answer(workspaceId, operations.append(workspaceId, caller.actor(), new OperationRequest(null,
                OperationType.DELETE, documentId, baseVersion, DocumentData.EMPTY), idempotencyKey,
                identity(http, ifMatch, new byte[0])), HttpStatus.NO_CONTENT, http);
    }

    /** What makes two single-document requests the same request: method, path, precondition and body. */
    private static byte[] identity(HttpServletRequest http, String ifMatch, byte[] body) {
        byte[] head = (http.getMethod() + " " + http.getRequestURI() + "\n" + ifMatch + "\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] all = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    private Caller writer(Jwt jwt, String workspaceId) {
        Caller caller = Caller.from(jwt);
        access.requireWrite(caller, workspaceId);
        return caller;
    }

    private BatchRequestParser.ParsedDocument parse(byte[] body, boolean create) {
        return switch (parser.parseDocument(body, create)) {
            case BatchRequestParser.ParsedDocument parsed -> parsed;
            case BatchRequestParser.Invalid invalid -> throw ApiProblem.invalid(invalid);
        };
    }

    private ResponseEntity<?> answer(String workspaceId, SingleOperations.Appended appended, HttpStatus success,
            HttpServletRequest http) {
        SingleOperations.Applied applied = operations.answer(appended);
        // An applied write whose document does not fit the answer budget now answers 202 + Location (never 429/503:
        // it has applied), like one that has not applied yet.
        if (applied.result().isEmpty() || !fits(workspaceId, applied.result().get(), success, http)) {
            return ResponseEntity.accepted().location(URI.create("/api/v1/batches/" + applied.batchId()))
                    .body(applied.pending());
        }
        OperationResult result = applied.result().get();
        return switch (result.status()) {
            case SUCCESS, MERGED -> {
                DocumentView document = documents.findVersion(workspaceId, result.documentId(), result.version())
                        .orElseThrow();
                ResponseEntity.BodyBuilder response = ResponseEntity.status(success)
                        .eTag(String.valueOf(document.version()));
                if (success == HttpStatus.CREATED) {
                    response.location(URI.create("/api/v1/workspaces/" + workspaceId + "/documents/"
                            + document.documentId()));
                }
                yield success == HttpStatus.NO_CONTENT ? response.build() : response.body(document);
            }
            case CONFLICT -> throw problem(HttpStatus.PRECONDITION_FAILED, "precondition-failed", result);
            case ERROR -> throw switch (result.error().code()) {
                case NOT_FOUND -> problem(HttpStatus.NOT_FOUND, "not-found", result);
                case DELETED -> problem(HttpStatus.GONE, "gone", result);
                case ALREADY_EXISTS -> problem(HttpStatus.CONFLICT, "already-exists", result);
                default -> problem(HttpStatus.UNPROCESSABLE_CONTENT, "invalid", result);
            };
            case SKIPPED -> throw new IllegalStateException("a one-operation batch cannot skip: " + result);
        };
    }

    /** Whether the document a successful write answers with fits the answer budget (reserved if so). */
    private boolean fits(String workspaceId, OperationResult result, HttpStatus success, HttpServletRequest http) {
        if (result.status() != ResultStatus.SUCCESS || success == HttpStatus.NO_CONTENT) {
            return true;
        }
        return documents.size(workspaceId, result.documentId(), Optional.of(result.version()))
                .map(bytes -> answers.tryReserve(http, bytes + 1024)).orElse(true);
    }

    private static ApiProblem problem(HttpStatus status, String type, OperationResult result) {
        ApiProblem problem = ApiProblem.of(status, type, result.error().message());
        Optional.ofNullable(result.current()).ifPresent(current -> problem.with("current", current));
        return problem;
    }
}
