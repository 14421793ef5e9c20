package dev.docsync.projection.apply;

import java.time.Instant;

/**
 * A document's state as the apply step decides on it: everything but its bodies, which it names by their
 * SHA-256 digests in {@code document_bodies} (DESIGN §6.8: the apply never loads content it does not write).
 * {@code yjsDigest} is null for a document without a Yjs state, as its column is.
 */
public record DocumentHead(String documentId, String workspaceId, long version, String title, String contentDigest,
        String yjsDigest, boolean deleted, Instant createdAt, Instant updatedAt, String updatedBy) {

    /** The reference a result stores for this state. */
    public StateRef ref() {
        return new StateRef(documentId, version);
    }
}
