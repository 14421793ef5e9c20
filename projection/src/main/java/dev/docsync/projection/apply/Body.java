package dev.docsync.projection.apply;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A content or Yjs state a write brings, with the SHA-256 digest (hex, of its UTF-8 bytes) that addresses it. */
public record Body(String digest, String text) {

    public static Body of(String text) {
        return new Body(sha256(text), text);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
