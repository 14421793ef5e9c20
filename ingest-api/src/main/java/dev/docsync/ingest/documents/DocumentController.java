package dev.docsync.ingest.documents;

import dev.docsync.contracts.DocumentSummary;
import dev.docsync.contracts.DocumentView;
import dev.docsync.contracts.HistoryItem;
import dev.docsync.contracts.Ids;
import dev.docsync.contracts.Page;
import dev.docsync.ingest.security.WorkspaceAccess;
import dev.docsync.ingest.web.AnswerBudget;
import dev.docsync.ingest.web.ApiProblem;
import dev.docsync.ingest.web.Cursors;
import dev.docsync.projection.documents.DocumentReader;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class DocumentController {

    private static final int MAX_LIMIT = 500;
    /** The fields of a document answer besides its title and bodies, generously. */
    private static final long DOCUMENT_OVERHEAD_BYTES = 1024;
    private static final String HISTORY_CURSOR = "h1";
    private static final String LIST_CURSOR = "d1";

    private final DocumentReader documents;
    private final WorkspaceAccess access;
    private final AnswerBudget answers;

    DocumentController(DocumentReader documents, WorkspaceAccess access, AnswerBudget answers) {
        this.documents = documents;
        this.access = access;
        this.answers = answers;
    }

    /**
     * Current state, or with {@code ?version=N} the state at version N (time travel), with
     * {@code ETag: "<version>"}; a deleted document (or the version that deleted it) answers 410 with that state.
     */
    @GetMapping("/api/v1/workspaces/{workspaceId}/documents/{documentId}")
    ResponseEntity<DocumentView> get(@PathVariable String workspaceId, @PathVariable String documentId,
            @RequestParam(required = false) Long version, @AuthenticationPrincipal Jwt jwt, HttpServletRequest http) {
        access.requireRead(jwt, workspaceId, () -> notFound(workspaceId, documentId));
        // The answer's bytes are reserved before the document is loaded: a slow reader holds them until it is written.
        documents.size(workspaceId, documentId, Optional.ofNullable(version))
                .ifPresent(bytes -> answers.reserve(http, bytes + DOCUMENT_OVERHEAD_BYTES));
        DocumentView document = (version == null
                ? documents.find(workspaceId, documentId)
                : documents.findVersion(workspaceId, documentId, version))
                .orElseThrow(() -> version == null ? notFound(workspaceId, documentId)
                        : ApiProblem.notFound("document " + documentId + " has no version " + version));
        return ResponseEntity.status(document.deleted() ? HttpStatus.GONE : HttpStatus.OK)
                .eTag(String.valueOf(document.version()))
                .body(document);
    }

    /** Every version, ascending, paged; kept after deletion. */
    @GetMapping("/api/v1/workspaces/{workspaceId}/documents/{documentId}/history")
    Page<HistoryItem> history(@PathVariable String workspaceId, @PathVariable String documentId,
            @RequestParam(defaultValue = "50") int limit, @RequestParam(required = false) String cursor,
            @AuthenticationPrincipal Jwt jwt) {
        access.requireRead(jwt, workspaceId, () -> notFound(workspaceId, documentId));
        long after = cursor == null ? 0 : parseLong(Cursors.decode(HISTORY_CURSOR, cursor));
        List<HistoryItem> items = documents.history(workspaceId, documentId, after, Cursors.limit(limit, MAX_LIMIT) + 1);
        if (items.isEmpty() && after == 0) {
            throw notFound(workspaceId, documentId);
        }
        return page(items, limit, last -> Cursors.encode(HISTORY_CURSOR, String.valueOf(last.version())));
    }

    /** Current documents ordered by id, keyset-paged; deleted ones only with {@code include_deleted=true}. */
    @GetMapping("/api/v1/workspaces/{workspaceId}/documents")
    Page<DocumentSummary> list(@PathVariable String workspaceId, @RequestParam(defaultValue = "50") int limit,
            @RequestParam(required = false) String cursor,
            @RequestParam(name = "include_deleted", defaultValue = "false") boolean includeDeleted,
            @AuthenticationPrincipal Jwt jwt) {
        access.requireRead(jwt, workspaceId, () -> ApiProblem.notFound("no workspace " + workspaceId));
        String after = cursor == null ? "" : documentIdCursor(cursor);
        List<DocumentSummary> items = documents.list(workspaceId, after, Cursors.limit(limit, MAX_LIMIT) + 1,
                includeDeleted);
        return page(items, limit, last -> Cursors.encode(LIST_CURSOR, last.documentId()));
    }

    /** {@code items} holds up to limit + 1 rows: the extra one only says there is a next page. */
    private static <T> Page<T> page(List<T> items, int limit, Function<T, String> cursorAfter) {
        if (items.size() <= limit) {
            return new Page<>(items, null);
        }
        List<T> shown = items.subList(0, limit);
        return new Page<>(shown, cursorAfter.apply(shown.getLast()));
    }

    private static String documentIdCursor(String cursor) {
        String after = Cursors.decode(LIST_CURSOR, cursor);
        if (!Ids.isDocumentId(after)) {
            throw Cursors.invalid();
        }
        return after;
    }

    private static long parseLong(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw Cursors.invalid();
        }
    }

    private static ApiProblem notFound(String workspaceId, String documentId) {
        return ApiProblem.notFound("no document " + documentId + " in workspace " + workspaceId);
    }
}
