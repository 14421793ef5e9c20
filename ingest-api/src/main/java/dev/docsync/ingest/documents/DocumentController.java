package dev.docsync.ingest.documents;

import dev.docsync.contracts.DocumentView;
import dev.docsync.ingest.security.Caller;
import dev.docsync.ingest.security.WorkspaceAccess;
import dev.docsync.ingest.web.ApiProblem;
import dev.docsync.projection.documents.DocumentReader;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

@RestController
class DocumentController {

    private final DocumentReader documents;
    private final WorkspaceAccess access;

    DocumentController(DocumentReader documents, WorkspaceAccess access) {
        this.documents = documents;
        this.access = access;
    }

    /** Current state with {@code ETag: "<version>"}; a deleted document answers 410 with its last state. */
    @GetMapping("/api/v1/workspaces/{workspaceId}/documents/{documentId}")
    ResponseEntity<DocumentView> get(@PathVariable String workspaceId, @PathVariable String documentId,
            @AuthenticationPrincipal Jwt jwt) {
        if (!access.canRead(Caller.from(jwt), workspaceId)) {
            throw notFound(workspaceId, documentId);
        }
        DocumentView document = documents.find(workspaceId, documentId)
                .orElseThrow(() -> notFound(workspaceId, documentId));
        return ResponseEntity.status(document.deleted() ? HttpStatus.GONE : HttpStatus.OK)
                .eTag(String.valueOf(document.version()))
                .body(document);
    }

    private static ApiProblem notFound(String workspaceId, String documentId) {
        return ApiProblem.notFound("no document " + documentId + " in workspace " + workspaceId);
    }
}
