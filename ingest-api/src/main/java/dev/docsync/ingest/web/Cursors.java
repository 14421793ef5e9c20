package dev.docsync.ingest.web;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.springframework.http.HttpStatus;

/**
 * Opaque list cursors: a kind tag and the keyset value, base64url-encoded. Clients must not build or read
 * them; a cursor from another list (or tampered with) is a 400.
 */
public final class Cursors {

    private Cursors() {
    }

    public static String encode(String kind, String value) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((kind + ":" + value).getBytes(StandardCharsets.UTF_8));
    }

    /** The value of a cursor of {@code kind}; throws a 400 problem for anything else. */
    public static String decode(String kind, String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (text.startsWith(kind + ":")) {
                return text.substring(kind.length() + 1);
            }
        } catch (IllegalArgumentException e) {
            // not base64: falls through to the 400
        }
        throw invalid();
    }

    public static ApiProblem invalid() {
        return ApiProblem.of(HttpStatus.BAD_REQUEST, "invalid-cursor", "cursor is not one this list issued");
    }

    /** {@code limit} in [1, max], else a 400. */
    public static int limit(int limit, int max) {
        if (limit < 1 || limit > max) {
            throw ApiProblem.of(HttpStatus.BAD_REQUEST, "invalid-request", "limit must be between 1 and " + max);
        }
        return limit;
    }
}
