package dev.docsync.ingest.changes;

import dev.docsync.contracts.Ids;
import dev.docsync.contracts.SnapshotPage;
import dev.docsync.ingest.web.ApiProblem;
import dev.docsync.ingest.web.Cursors;
import dev.docsync.ingest.security.WorkspaceAccess;
import dev.docsync.projection.changes.ChangeFeedReader;
import dev.docsync.projection.changes.FeedPosition;
import dev.docsync.projection.documents.SnapshotReader;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/workspaces/{ws}/snapshot?cursor=&limit=}: a new client's bootstrap. The first page fixes
 * {@code feed_cursor} — read before any document — and every later page's cursor carries it. A document changed
 * after it may come at a newer version, created after it may or may not come, deleted after it may be missing;
 * each such change is in the feed after {@code feed_cursor}, so a client that follows the feed from there and
 * never lets a change lower a document's version converges (docs/decisions.md, 2026-12-02).
 */
@RestController
class SnapshotController {

    private static final int MAX_LIMIT = 2000;
    private static final String KIND = "s1";

    private final SnapshotReader snapshot;
    private final ChangeFeedReader feed;
    private final WorkspaceAccess access;
    private final LiveProperties properties;

    SnapshotController(SnapshotReader snapshot, ChangeFeedReader feed, WorkspaceAccess access,
            LiveProperties properties) {
        this.snapshot = snapshot;
        this.feed = feed;
        this.access = access;
        this.properties = properties;
    }

    /** Where a snapshot stands: the feed position it started at, and the last document id sent. */
    private record Position(FeedPosition feed, String after) {
    }

    @GetMapping("/api/v1/workspaces/{workspaceId}/snapshot")
    SnapshotPage snapshot(@PathVariable String workspaceId, @RequestParam(required = false) String cursor,
            @RequestParam(defaultValue = "500") int limit, @AuthenticationPrincipal Jwt jwt) {
        access.requireRead(jwt, workspaceId, () -> ApiProblem.notFound("no workspace " + workspaceId));
        Position position = cursor == null ? new Position(feed.latest(workspaceId), "") : decode(cursor);
        SnapshotReader.Page page = snapshot.page(workspaceId, position.after(), Cursors.limit(limit, MAX_LIMIT),
                properties.pageStateBytes().toBytes());
        String next = page.more()
                ? encode(new Position(position.feed(), page.documents().getLast().documentId()))
                : null;
        return new SnapshotPage(page.documents(), next, position.feed().cursor());
    }

    private static String encode(Position position) {
        FeedPosition feed = position.feed();
        return Cursors.encode(KIND, feed.partition() + "." + feed.offset() + "." + feed.applyIndex() + "."
                + position.after());
    }

    private static Position decode(String cursor) {
        String[] parts = Cursors.decode(KIND, cursor).split("\\.", 4);
        try {
            if (parts.length == 4 && Ids.isDocumentId(parts[3])) {
                return new Position(new FeedPosition(Integer.parseInt(parts[0]), Long.parseLong(parts[1]),
                        Integer.parseInt(parts[2])), parts[3]);
            }
        } catch (NumberFormatException e) {
            // falls through to the 400
        }
        throw Cursors.invalid();
    }
}
