package dev.docsync.ingest.batch;

import dev.docsync.contracts.BatchRequest;
import dev.docsync.contracts.DocsyncJson;
import dev.docsync.contracts.DocumentData;
import dev.docsync.contracts.FieldError;
import dev.docsync.contracts.Ids;
import dev.docsync.contracts.OnConflict;
import dev.docsync.contracts.OperationRequest;
import dev.docsync.contracts.OperationType;
import dev.docsync.contracts.StorableText;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;

/**
 * Reads and validates a batch request body as a whole, reporting every problem with a JSON Pointer into the
 * request. It works on the JSON tree rather than on data binding so that a typo such as {@code base_versoin}
 * is an error at its exact place and never silently turns a conditional write into an unconditional one.
 */
public final class BatchRequestParser {

    /**
     * Request limits. The configurable ones come from {@code IngestProperties} (their defaults are the contract of
     * DESIGN §3); the lengths of ids are fixed here.
     */
    public record Limits(int maxOperations, int maxTitleLength, int maxWorkspaceIdLength, int maxDocumentIdLength,
            int maxClientIdLength, int maxContentLength, int maxYjsStateLength) {

        public static Limits of(int maxOperations, int maxTitleLength, int maxContentLength, int maxYjsStateLength) {
            return new Limits(maxOperations, maxTitleLength, 64, 128, 128, maxContentLength, maxYjsStateLength);
        }
    }

    public sealed interface Outcome permits Parsed, Invalid, TooManyOperations {
    }

    public record Parsed(BatchRequest request) implements Outcome {
    }

    /** The first {@link #MAX_REPORTED_ERRORS} problems, and how many there were in all. */
    public record Invalid(List<FieldError> errors, int count) implements Outcome, DocumentOutcome {
        public Invalid {
            errors = List.copyOf(errors);
        }

        Invalid(FieldError error) {
            this(List.of(error), 1);
        }
    }

    /** An error answer stays small whatever the request: a body of 400,000 unknown fields reports 100. */
    public static final int MAX_REPORTED_ERRORS = 100;

    /** The body of a single-document write ({@code POST}/{@code PUT .../documents}), DESIGN §3.5. */
    public sealed interface DocumentOutcome permits ParsedDocument, Invalid {
    }

    /** {@code documentId} is null unless a create chose it. */
    public record ParsedDocument(String documentId, DocumentData data) implements DocumentOutcome {
    }

    public record TooManyOperations(int count, int max) implements Outcome {
    }

    private static final Set<String> ROOT_FIELDS = Set.of("workspace_id", "atomic", "on_conflict", "operations");
    private static final Set<String> OPERATION_FIELDS =
            Set.of("client_id", "operation", "document_id", "base_version", "data");
    private static final Set<String> DATA_FIELDS = Set.of("title", "content", "yjs_state_b64");
    private static final Set<String> CREATE_DOCUMENT_FIELDS =
            Set.of("document_id", "title", "content", "yjs_state_b64");

    private final Limits limits;

    public BatchRequestParser(Limits limits) {
        this.limits = limits;
    }

    public Outcome parse(byte[] body) {
        JsonNode root;
        try {
            root = readObject(body);
        } catch (InvalidBody e) {
            return e.invalid;
        }
        JsonNode operations = root.get("operations");
        if (operations != null && operations.isArray() && operations.size() > limits.maxOperations()) {
            return new TooManyOperations(operations.size(), limits.maxOperations());
        }
        Errors errors = new Errors();
        errors.unknownFields(root, "", ROOT_FIELDS);
        String workspaceId = errors.id(root, "", "workspace_id", limits.maxWorkspaceIdLength(), true);
        boolean atomic = errors.optionalBoolean(root, "", "atomic");
        OnConflict onConflict = errors.onConflict(root);
        List<OperationRequest> parsed = new ArrayList<>();
        if (operations == null) {
            errors.add("/operations", "is required");
        } else if (!operations.isArray()) {
            errors.add("/operations", "must be an array");
        } else if (operations.isEmpty()) {
            errors.add("/operations", "must contain at least one operation");
        } else {
            Map<String, Integer> clientIds = new HashMap<>();
            for (int i = 0; i < operations.size(); i++) {
                String at = "/operations/" + i;
                operation(operations.get(i), at, errors).ifPresent(op -> {
                    parsed.add(op);
                    Integer first = clientIds.putIfAbsent(op.clientId(), parsed.size() - 1);
                    if (first != null) {
                        errors.add(at + "/client_id", "duplicate client_id \"" + op.clientId()
                                + "\", already used in this batch");
                    }
                });
            }
        }
        if (!errors.isEmpty()) {
            return errors.invalid();
        }
        return new Parsed(new BatchRequest(workspaceId, atomic, onConflict, parsed));
    }

    /**
     * A single-document body: {@code {"document_id"?, "title", "content", "yjs_state_b64"}}; the id only
     * on create. Absent fields mean empty on create and unchanged on update, as in a batch.
     */
    public DocumentOutcome parseDocument(byte[] body, boolean create) {
        JsonNode root;
        try {
            root = readObject(body);
        } catch (InvalidBody e) {
            return e.invalid;
        }
        Errors errors = new Errors();
        errors.unknownFields(root, "", create ? CREATE_DOCUMENT_FIELDS : DATA_FIELDS);
        String documentId = create ? errors.id(root, "", "document_id", limits.maxDocumentIdLength(), false) : null;
        DocumentData data = dataFields(root, "", errors);
        return errors.isEmpty() ? new ParsedDocument(documentId, data) : errors.invalid();
    }

    private static JsonNode readObject(byte[] body) throws InvalidBody {
        JsonNode root;
        try {
            root = DocsyncJson.mapper().readTree(body);
        } catch (JacksonException e) {
            throw new InvalidBody(new FieldError(pointerOf(e), "malformed JSON: " + e.getOriginalMessage()));
        }
        if (root == null || root.isMissingNode()) {
            throw new InvalidBody(new FieldError("", "request body is empty"));
        }
        if (!root.isObject()) {
            throw new InvalidBody(new FieldError("", "request body must be a JSON object"));
        }
        return root;
    }

    /** Control flow for "the body is not a JSON object": carries the one error to report. */
    private static final class InvalidBody extends Exception {
        private final Invalid invalid;

        InvalidBody(FieldError error) {
            super(error.message(), null, false, false);
            this.invalid = new Invalid(error);
        }
    }

    private Optional<OperationRequest> operation(JsonNode node, String at, Errors errors) {
        if (!node.isObject()) {
            errors.add(at, "must be an object");
            return Optional.empty();
        }
        int before = errors.size();
        errors.unknownFields(node, at, OPERATION_FIELDS);
        String clientId = errors.requiredString(node, at, "client_id", limits.maxClientIdLength());
        OperationType type = null;
        JsonNode opNode = node.get("operation");
        if (opNode == null || opNode.isNull()) {
            errors.add(at + "/operation", "is required (create, update or delete)");
        } else if (!opNode.isString()) {
            errors.add(at + "/operation", "must be one of create, update, delete");
        } else {
            type = OperationType.fromWire(opNode.asString()).orElse(null);
            if (type == null) {
                errors.add(at + "/operation", "unknown operation \"" + opNode.asString()
                        + "\"; must be one of create, update, delete");
            }
        }
        boolean documentIdRequired = type == OperationType.UPDATE || type == OperationType.DELETE;
        String documentId = errors.id(node, at, "document_id", limits.maxDocumentIdLength(), documentIdRequired);
        Long baseVersion = errors.baseVersion(node, at);
        if (type == OperationType.CREATE && baseVersion != null) {
            errors.add(at + "/base_version", "is not allowed on create");
        }
        DocumentData data = data(node, at, type, errors);
        if (errors.size() > before || type == null) {
            return Optional.empty();
        }
        return Optional.of(new OperationRequest(clientId, type, documentId, baseVersion, data));
    }

    private DocumentData data(JsonNode op, String at, OperationType type, Errors errors) {
        JsonNode data = op.get("data");
        String here = at + "/data";
        if (data == null || data.isNull()) {
            return DocumentData.EMPTY;
        }
        if (type == OperationType.DELETE) {
            errors.add(here, "is not allowed on delete");
            return DocumentData.EMPTY;
        }
        if (!data.isObject()) {
            errors.add(here, "must be an object");
            return DocumentData.EMPTY;
        }
        errors.unknownFields(data, here, DATA_FIELDS);
        return dataFields(data, here, errors);
    }

    private DocumentData dataFields(JsonNode data, String here, Errors errors) {
        String title = errors.optionalString(data, here, "title");
        if (title != null && title.length() > limits.maxTitleLength()) {
            errors.add(here + "/title", "must be at most " + limits.maxTitleLength() + " characters");
        }
        String content = errors.optionalString(data, here, "content");
        if (content != null && content.length() > limits.maxContentLength()) {
            errors.add(here + "/content", "must be at most " + limits.maxContentLength() + " characters");
        }
        String yjs = errors.optionalString(data, here, "yjs_state_b64");
        if (yjs != null && yjs.length() > limits.maxYjsStateLength()) {
            errors.add(here + "/yjs_state_b64", "must be at most " + limits.maxYjsStateLength() + " characters");
        } else if (yjs != null && !isBase64(yjs)) {
            errors.add(here + "/yjs_state_b64", "must be valid base64");
        }
        return new DocumentData(title, content, yjs);
    }

    /** RFC 4648 base64 with padding: Java's decoder alone also takes unpadded input such as "abc". */
    private static boolean isBase64(String value) {
        if (value.length() % 4 != 0) {
            return false;
        }
        try {
            Base64.getDecoder().decode(value);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String pointerOf(JacksonException e) {
        if (e.processor() instanceof JsonParser parser) {
            return parser.streamReadContext().pathAsPointer().toString();
        }
        return "";
    }

    /** RFC 6901 escaping of one reference token. */
    static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static final class Errors {
        private final List<FieldError> list = new ArrayList<>();
        private int count;

        void add(String pointer, String message) {
            count++;
            if (list.size() < MAX_REPORTED_ERRORS) {
                list.add(new FieldError(pointer, message));
            }
        }

        boolean isEmpty() {
            return count == 0;
        }

        int size() {
            return count;
        }

        Invalid invalid() {
            return new Invalid(list, count);
        }

        void unknownFields(JsonNode node, String at, Set<String> allowed) {
            for (String name : node.propertyNames()) {
                if (!allowed.contains(name)) {
                    add(at + "/" + escape(name), "unknown field; allowed: " + String.join(", ", sorted(allowed)));
                }
            }
        }

        private static List<String> sorted(Set<String> names) {
            return names.stream().sorted().toList();
        }

        /** The field's text; null when absent or null (an error if required) or not a string (an error). */
        private String text(JsonNode node, String at, String field, boolean required) {
            JsonNode value = node.get(field);
            String here = at + "/" + field;
            if (value == null || value.isNull()) {
                if (required) {
                    add(here, "is required");
                }
                return null;
            }
            if (!value.isString()) {
                add(here, "must be a string");
                return null;
            }
            String text = value.asString();
            Optional<String> unstorable = StorableText.problem(text);
            if (unstorable.isPresent()) {
                add(here, unstorable.get());
                return null;
            }
            return text;
        }

        String requiredString(JsonNode node, String at, String field, int maxLength) {
            String text = text(node, at, field, true);
            String here = at + "/" + field;
            if (text == null) {
                return null;
            }
            if (text.isEmpty()) {
                add(here, "must not be empty");
            } else if (text.length() > maxLength) {
                add(here, "must be at most " + maxLength + " characters");
            } else if (text.chars().anyMatch(Character::isISOControl)) {
                add(here, "must not contain control characters");
            }
            return text;
        }

        String id(JsonNode node, String at, String field, int maxLength, boolean required) {
            String text = text(node, at, field, required);
            if (text != null && !Ids.isId(text, maxLength)) {
                add(at + "/" + field, Ids.rule(maxLength));
            }
            return text;
        }

        boolean optionalBoolean(JsonNode node, String at, String field) {
            JsonNode value = node.get(field);
            if (value == null) {
                return false;
            }
            if (!value.isBoolean()) {
                add(at + "/" + field, "must be true or false");
                return false;
            }
            return value.booleanValue();
        }

        /** {@code "report"} (also when absent) or {@code "merge"}, spelled exactly; anything else is an error. */
        OnConflict onConflict(JsonNode root) {
            JsonNode value = root.get("on_conflict");
            if (value == null) {
                return OnConflict.REPORT;
            }
            Optional<OnConflict> known = value.isString() ? OnConflict.fromWire(value.asString()) : Optional.empty();
            if (known.isEmpty()) {
                add("/on_conflict", "must be \"report\" or \"merge\"");
            }
            return known.orElse(OnConflict.REPORT);
        }

        String optionalString(JsonNode node, String at, String field) {
            return text(node, at, field, false);
        }

        Long baseVersion(JsonNode node, String at) {
            JsonNode value = node.get("base_version");
            String here = at + "/base_version";
            if (value == null || value.isNull()) {
                return null;
            }
            if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                add(here, "must be an integer");
                return null;
            }
            long version = value.longValue();
            if (version < 1) {
                add(here, "must be at least 1");
                return null;
            }
            return version;
        }
    }
}
