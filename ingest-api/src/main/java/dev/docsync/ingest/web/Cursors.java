package dev.docsync.ingest.web;

import dev.docsync.contracts.StorableText;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

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
        return decode(kind, cursor, "cursor");
    }

    /** As {@link #decode(String, String)}, for a cursor passed as query parameter {@code parameter}. */
    public static String decode(String kind, String cursor, String parameter) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Base64.getUrlDecoder().decode(cursor)))
                    .toString();
            if (text.startsWith(kind + ":") && StorableText.isStorable(text)) {
                return text.substring(kind.length() + 1);
            }
        } catch (IllegalArgumentException | CharacterCodingException e) {
            // not base64 or not UTF-8: falls through to the 400
        }
        throw invalid(parameter);
    }

    /** A cursor this list did not issue (tampered with, from another list, or not decodable). */
    public static ApiProblem invalid() {
        return invalid("cursor");
    }

    public static ApiProblem invalid(String parameter) {
        return ApiProblem.invalidParameter("/query/" + parameter, "is not a cursor this list issued");
    }

    /** {@code limit} in [1, max], else a 400. */
    public static int limit(int limit, int max) {
        if (limit < 1 || limit > max) {
            throw ApiProblem.invalidParameter("/query/limit", "must be between 1 and " + max);
        }
        return limit;
    }
}
