package dev.docsync.worker.apply.decide;

import dev.docsync.projection.apply.DocumentHead;
import dev.docsync.projection.apply.DocumentKey;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * What a three-way merge reads besides the current state, as the log made it: a document's state at its base
 * version (without bodies), and the stored bodies (by digest, within a workspace) of base and current content when
 * both sides changed it. {@link BatchApplier} asks only for the operations it merges, so the apply loads no other
 * content for it.
 */
public interface DocumentVersions {

    /** The document's state at {@code version}, without its bodies; empty for a version it never had. */
    Optional<DocumentHead> at(DocumentKey key, long version);

    /** The UTF-8 size in bytes of each stored body of {@code digests} in {@code workspaceId}. */
    Map<String, Long> sizes(String workspaceId, Collection<String> digests);

    /** The text of each stored body of {@code digests} in {@code workspaceId}. */
    Map<String, String> bodies(String workspaceId, Collection<String> digests);

    /** The UTF-8 size of {@code text} in bytes, as PostgreSQL's {@code octet_length} gives it for a stored body. */
    static long utf8Bytes(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** For applying batches that never merge (and tests of them): no earlier versions, no bodies. */
    static DocumentVersions none() {
        return new DocumentVersions() {
            @Override
            public Optional<DocumentHead> at(DocumentKey key, long version) {
                return Optional.empty();
            }

            @Override
            public Map<String, Long> sizes(String workspaceId, Collection<String> digests) {
                return Map.of();
            }

            @Override
            public Map<String, String> bodies(String workspaceId, Collection<String> digests) {
                return Map.of();
            }
        };
    }
}
