package dev.docsync.ingest.security;

import java.util.Locale;
import java.util.Optional;

/** A caller's role in one workspace, from the token's {@code workspaces} claim. */
public enum Role {
    VIEWER, EDITOR, ADMIN;

    public boolean canWrite() {
        return this != VIEWER;
    }

    static Optional<Role> fromClaim(Object value) {
        if (!(value instanceof String text)) {
            return Optional.empty();
        }
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "viewer" -> Optional.of(VIEWER);
            case "editor" -> Optional.of(EDITOR);
            case "admin" -> Optional.of(ADMIN);
            default -> Optional.empty();
        };
    }
}
