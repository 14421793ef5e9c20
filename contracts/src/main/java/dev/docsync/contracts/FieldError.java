package dev.docsync.contracts;

/** One validation problem, located by a JSON Pointer (RFC 6901) into the request body. */
public record FieldError(String pointer, String message) {
}
