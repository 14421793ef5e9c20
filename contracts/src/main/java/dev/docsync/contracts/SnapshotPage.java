package dev.docsync.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A page of a workspace's snapshot: current, not deleted documents with their content. {@code next_cursor} is
 * {@code null} on the last page; {@code feed_cursor} is the change-feed position the snapshot started at, the
 * same on every page, from which the client follows the change feed.
 */
public record SnapshotPage(List<DocumentView> items, @JsonInclude(JsonInclude.Include.ALWAYS) String nextCursor,
        String feedCursor) {
    public SnapshotPage {
        items = List.copyOf(items);
    }
}
