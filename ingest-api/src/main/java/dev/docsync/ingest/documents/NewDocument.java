package dev.docsync.ingest.documents;

/**
 * The body of {@code POST /api/v1/workspaces/{ws}/documents}, for the API description only: the request is
 * parsed strictly by {@code BatchRequestParser.parseDocument}, which this record mirrors.
 */
record NewDocument(String documentId, String title, String content, String yjsStateB64) {
}
