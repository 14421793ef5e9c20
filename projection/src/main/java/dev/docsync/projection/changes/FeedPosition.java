package dev.docsync.projection.changes;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A place in a workspace's apply order: the log partition and offset at which a batch became complete,
 * then the change's index in the batch's apply order. Increases with every change a workspace applies.
 * Its cursor (the feed's {@code next_cursor}, a stream event's {@code id}, a batch's {@code change_cursor}) is
 * opaque to clients and written and read here only.
 */
public record FeedPosition(int partition, long offset, int applyIndex) {
    public static final FeedPosition START = new FeedPosition(-1, -1, -1);

    private static final String KIND = "c1:";
    private static final Pattern VALUE = Pattern.compile("c1:(-?\\d{1,10})\\.(-?\\d{1,19})\\.(-?\\d{1,10})");

    /** The opaque cursor that resumes the feed right after this position. */
    public String cursor() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                (KIND + partition + "." + offset + "." + applyIndex).getBytes(StandardCharsets.UTF_8));
    }

    /** The position a cursor of {@link #cursor()} names; empty for anything else (tampered, another list's). */
    public static Optional<FeedPosition> fromCursor(String cursor) {
        try {
            Matcher m = VALUE.matcher(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.ISO_8859_1));
            if (m.matches()) {
                return Optional.of(new FeedPosition(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)),
                        Integer.parseInt(m.group(3))));
            }
        } catch (IllegalArgumentException e) {
            // not base64, or a number out of range (NumberFormatException is one)
        }
        return Optional.empty();
    }
}
