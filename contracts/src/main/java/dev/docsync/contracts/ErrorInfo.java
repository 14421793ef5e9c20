package dev.docsync.contracts;

public record ErrorInfo(ErrorCode code, String message) {
}
