package dev.docsync.ingest.changes;

import dev.docsync.ingest.web.ApiProblem;
import dev.docsync.ingest.web.Cursors;
import dev.docsync.projection.changes.FeedPosition;
import java.time.Duration;
import java.util.regex.Pattern;

/** The query parameters of the change feed and its live forms, each checked once (400 with a pointer). */
final class FeedParameters {

    private static final Pattern SECONDS = Pattern.compile("\\d{1,9}");

    private FeedParameters() {
    }

    /** {@code since} (or a stream's {@code Last-Event-ID}, named by {@code pointer}); absent: the feed's start. */
    static FeedPosition position(String cursor, String pointer) {
        if (cursor == null) {
            return FeedPosition.START;
        }
        return FeedPosition.fromCursor(cursor).orElseThrow(
                () -> ApiProblem.invalidParameter(pointer, "is not a cursor this feed issued"));
    }

    static FeedPosition since(String since) {
        return position(since, "/query/since");
    }

    /** {@code include}: absent or {@code state}. */
    static boolean includeState(String include, boolean byDefault) {
        if (include == null) {
            return byDefault;
        }
        if (include.equals("state")) {
            return true;
        }
        throw ApiProblem.invalidParameter("/query/include", "must be state");
    }

    /** {@code wait}: whole seconds from 0 to {@code max}; absent is 0 (answer at once). */
    static Duration waitFor(String wait, Duration max) {
        if (wait == null) {
            return Duration.ZERO;
        }
        if (SECONDS.matcher(wait).matches() && Long.parseLong(wait) <= max.toSeconds()) {
            return Duration.ofSeconds(Long.parseLong(wait));
        }
        throw ApiProblem.invalidParameter("/query/wait", "must be whole seconds from 0 to " + max.toSeconds());
    }

    static int limit(int limit, int max) {
        return Cursors.limit(limit, max);
    }
}
