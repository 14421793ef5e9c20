package dev.docsync.ingest.changes;

import dev.docsync.ingest.security.Caller;
import dev.docsync.ingest.security.WorkspaceAccess;
import dev.docsync.ingest.web.ApiProblem;
import dev.docsync.projection.changes.ChangeFeedReader;
import dev.docsync.projection.changes.FeedPosition;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.time.Duration;
import java.time.Instant;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code GET /api/v1/workspaces/{ws}/changes/stream}: the change feed as server-sent events, from
 * {@code Last-Event-ID} (a reconnecting client's) or {@code since}, until the token's {@code exp}.
 */
@RestController
class ChangeStreamController {

    private final ChangeFeedReader feed;
    private final WorkspaceAccess access;
    private final LiveRequests live;

    ChangeStreamController(ChangeFeedReader feed, WorkspaceAccess access, LiveRequests live) {
        this.feed = feed;
        this.access = access;
        this.live = live;
    }

    @Operation(summary = "Applied changes as they happen (text/event-stream)", description = """
            One event per applied change: `id:` is the cursor after it (resume with Last-Event-ID or since), \
            `event: change`, `data:` the change item as JSON, with `document` when its state is small (else read \
            the document at that version). Comment lines are heartbeats. The stream ends at the token's exp; \
            reconnect with a fresh token and Last-Event-ID.""")
    @ApiResponse(responseCode = "200", description = "the event stream",
            content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE, schema = @Schema(type = "string")))
    @GetMapping(path = "/api/v1/workspaces/{workspaceId}/changes/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    ResponseEntity<SseEmitter> changeStream(@PathVariable String workspaceId,
            @RequestParam(required = false) String since,
            @Parameter(description = "state (the default): events carry small documents")
            @RequestParam(required = false) String include,
            @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
            @AuthenticationPrincipal Jwt jwt) {
        access.requireRead(jwt, workspaceId, () -> ApiProblem.notFound("no workspace " + workspaceId));
        FeedPosition from = lastEventId != null
                ? FeedParameters.position(lastEventId, "/header/Last-Event-ID")
                : FeedParameters.since(since);
        FeedParameters.includeState(include, true);
        Duration untilExpiry = Duration.between(Instant.now(), jwt.getExpiresAt());
        SseEmitter emitter = new SseEmitter(Math.max(1, untilExpiry.plusSeconds(30).toMillis()));
        ChangeStream stream = new ChangeStream(workspaceId, from, emitter, feed, live);
        stream.open(Caller.from(jwt).actor(), untilExpiry);
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .header("X-Accel-Buffering", "no")
                .contentType(MediaType.TEXT_EVENT_STREAM)
                .body(emitter);
    }
}
