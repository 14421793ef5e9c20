package dev.docsync.contracts;

/**
 * The fields of a document a client writes. On create an absent field means empty; on update an absent
 * field is left unchanged. {@code yjsStateB64} is carried as the client sent it (validated base64).
 */
public record DocumentData(String title, String content, String yjsStateB64) {
    public static final DocumentData EMPTY = new DocumentData(null, null, null);
}
