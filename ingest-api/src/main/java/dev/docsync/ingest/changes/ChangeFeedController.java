package dev.docsync.ingest.changes;

import dev.docsync.contracts.ChangeItem;
import dev.docsync.contracts.Page;
import dev.docsync.ingest.security.WorkspaceAccess;
import dev.docsync.ingest.web.ApiProblem;
import dev.docsync.ingest.web.Cursors;
import dev.docsync.projection.changes.ChangeFeedReader;
import dev.docsync.projection.changes.FeedPosition;
import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/workspaces/{ws}/changes?since=&limit=}: every applied change after {@code since}, in
 * apply order. {@code next_cursor} is always the position to resume from, also on an empty page.
 */
@RestController
class ChangeFeedController {

    private static final int MAX_LIMIT = 1000;
    private static final String KIND = "c1";

    private final ChangeFeedReader feed;
    private final WorkspaceAccess access;

    ChangeFeedController(ChangeFeedReader feed, WorkspaceAccess access) {
        this.feed = feed;
        this.access = access;
    }

    @GetMapping("/api/v1/workspaces/{workspaceId}/changes")
    Page<ChangeItem> changes(@PathVariable String workspaceId, @RequestParam(required = false) String since,
            @RequestParam(defaultValue = "100") int limit, @AuthenticationPrincipal Jwt jwt) {
        access.requireRead(jwt, workspaceId, () -> ApiProblem.notFound("no workspace " + workspaceId));
        FeedPosition from = since == null ? FeedPosition.START : decode(since);
        List<ChangeFeedReader.Entry> entries = feed.after(workspaceId, from, Cursors.limit(limit, MAX_LIMIT));
        FeedPosition resume = entries.isEmpty() ? from : entries.getLast().position();
        return new Page<>(entries.stream().map(ChangeFeedReader.Entry::change).toList(), encode(resume));
    }

    private static String encode(FeedPosition position) {
        return Cursors.encode(KIND, position.partition() + "." + position.offset() + "." + position.applyIndex());
    }

    private static FeedPosition decode(String cursor) {
        String[] parts = Cursors.decode(KIND, cursor, "since").split("\\.");
        try {
            if (parts.length == 3) {
                return new FeedPosition(Integer.parseInt(parts[0]), Long.parseLong(parts[1]),
                        Integer.parseInt(parts[2]));
            }
        } catch (NumberFormatException e) {
            // falls through to the 400
        }
        throw Cursors.invalid("since");
    }
}
