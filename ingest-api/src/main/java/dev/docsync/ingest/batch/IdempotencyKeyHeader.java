package dev.docsync.ingest.batch;

import dev.docsync.contracts.OperationEvent;
import dev.docsync.ingest.web.ApiProblem;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.springframework.http.HttpStatus;

/** The {@code Idempotency-Key} header: 1–255 visible ASCII characters, paired with a hash of the request body. */
final class IdempotencyKeyHeader {

    private static final int MAX_LENGTH = 255;

    private IdempotencyKeyHeader() {
    }

    /** None without the header; a 400 for a malformed one. */
    static Optional<OperationEvent.Idempotency> parse(String header, byte[] body) {
        if (header == null) {
            return Optional.empty();
        }
        if (header.isEmpty() || header.length() > MAX_LENGTH || !header.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw ApiProblem.of(HttpStatus.BAD_REQUEST, "invalid-request",
                    "Idempotency-Key must be 1 to " + MAX_LENGTH + " visible ASCII characters");
        }
        return Optional.of(new OperationEvent.Idempotency(header, sha256(body)));
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
