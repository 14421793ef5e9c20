package dev.docsync.projection.apply;

/**
 * The document state a stored result reports (its {@code current}), by id and version within the batch's
 * workspace: the answer reads it from the history when it is read (DESIGN §3.1), so storing a result never
 * copies a document. Stored in a result's JSON as {@code current_ref}.
 */
public record StateRef(String documentId, long version) {

    /** The member of a stored result that holds a {@link StateRef}. */
    public static final String FIELD = "current_ref";
}
