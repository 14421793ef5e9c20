package dev.docsync.ingest.documents;

import dev.docsync.ingest.web.ApiProblem;
import org.springframework.http.HttpStatus;

/** {@code If-Match} for single-document writes: {@code "<version>"} checks the version, {@code *} does not. */
final class IfMatch {

    private IfMatch() {
    }

    /** The version to check, or null for {@code *}; a missing header is 428, a malformed one 400. */
    static Long parse(String header) {
        if (header == null || header.isBlank()) {
            throw ApiProblem.of(HttpStatus.PRECONDITION_REQUIRED, "precondition-required",
                    "If-Match is required: send the ETag you last saw (\"<version>\"), or * to overwrite blindly");
        }
        String value = header.trim();
        if (value.equals("*")) {
            return null;
        }
        String digits = value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
        try {
            long version = Long.parseLong(digits);
            if (version >= 1) {
                return version;
            }
        } catch (NumberFormatException e) {
            // falls through to the 400 below
        }
        throw ApiProblem.of(HttpStatus.BAD_REQUEST, "invalid-request",
                "If-Match must be a document ETag (\"<version>\", version >= 1) or *; got " + value);
    }
}
