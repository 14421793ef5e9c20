package dev.docsync.contracts;

import dev.docsync.contracts.OperationEvent.Idempotency;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.UUID;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectReader;

/**
 * Reads an {@link OperationEvent} as a tolerant reader (DESIGN §5: fields it does not know are ignored at every
 * level) with one pass of Jackson's token stream, no tree and no bean introspection: the worker decodes every event
 * of the log, and the databind reader cost as much as the whole apply transaction.
 *
 * <p>The token loop takes the forms the event writer produces (numbers as integers, strings as strings, literals,
 * nulls). Anything else — a number written as a string or a float, a value of an unexpected kind, garbage — goes to
 * the mapper's own tolerant reader, so the answer (the event, or the exception) is always the one databind gives.
 */
public final class OperationEventReader {

    private static final ObjectReader DATABIND = DocsyncJson.mapper().readerFor(OperationEvent.class)
            .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Not an error: "this input is not in the writer's form, ask databind". No stack trace, it is control flow. */
    private static final class NotCanonical extends RuntimeException {
        private static final NotCanonical INSTANCE = new NotCanonical();

        private NotCanonical() {
            super("not in the event writer's form", null, false, false);
        }
    }

    private OperationEventReader() {
    }

    /** The event in {@code value}; unknown fields are ignored, anything that is not an event throws. */
    public static OperationEvent read(byte[] value) {
        try {
            return readCanonical(value);
        } catch (RuntimeException notCanonical) {
            OperationEvent event = DATABIND.readValue(value);
            if (event == null) {
                throw new IllegalArgumentException("not an event: JSON null");
            }
            return event;
        }
    }

    /** The databind reader this one must agree with; for tests and comparisons. */
    static OperationEvent readWithDatabind(byte[] value) {
        return DATABIND.readValue(value);
    }

    static OperationEvent readCanonical(byte[] value) {
        // The reader's parser carries the mapper's stream features (duplicate keys are errors).
        try (JsonParser p = DATABIND.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw NotCanonical.INSTANCE;
            }
            int schema = 0;
            int seq = 0;
            int count = 0;
            boolean atomic = false;
            int primitivesSeen = 0;
            UUID batchId = null;
            String workspaceId = null;
            String actor = null;
            Instant stampedAt = null;
            String clientId = null;
            OperationType operation = null;
            String documentId = null;
            Long baseVersion = null;
            DocumentData data = null;
            Idempotency idempotency = null;
            OnConflict onConflict = null;
            for (String name = p.nextName(); name != null; name = p.nextName()) {
                JsonToken token = p.nextToken();
                switch (name) {
                    case "schema" -> {
                        schema = intValue(p, token);
                        primitivesSeen |= 1;
                    }
                    case "seq" -> {
                        seq = intValue(p, token);
                        primitivesSeen |= 2;
                    }
                    case "count" -> {
                        count = intValue(p, token);
                        primitivesSeen |= 4;
                    }
                    case "atomic" -> {
                        atomic = switch (token) {
                            case VALUE_TRUE -> true;
                            case VALUE_FALSE -> false;
                            default -> throw NotCanonical.INSTANCE;
                        };
                        primitivesSeen |= 8;
                    }
                    case "batch_id" -> batchId = uuid(string(p, token));
                    case "workspace_id" -> workspaceId = string(p, token);
                    case "actor" -> actor = string(p, token);
                    case "stamped_at" -> {
                        String text = string(p, token);
                        stampedAt = text == null ? null : instant(text);
                    }
                    case "client_id" -> clientId = string(p, token);
                    case "operation" -> operation = OperationType.fromWire(requiredString(p, token))
                            .orElseThrow(() -> NotCanonical.INSTANCE);
                    case "document_id" -> documentId = string(p, token);
                    case "base_version" -> baseVersion = switch (token) {
                        case VALUE_NUMBER_INT -> p.getLongValue();
                        case VALUE_NULL -> null;
                        default -> throw NotCanonical.INSTANCE;
                    };
                    case "data" -> data = token == JsonToken.VALUE_NULL ? null : data(p, token);
                    case "idempotency" -> idempotency = token == JsonToken.VALUE_NULL ? null : idempotency(p, token);
                    case "on_conflict" -> onConflict = OnConflict.fromWire(requiredString(p, token))
                            .orElseThrow(() -> NotCanonical.INSTANCE);
                    default -> p.skipChildren();
                }
            }
            // Databind's answers for absent primitives and for the root's trailing tokens are its own to give.
            if (primitivesSeen != 15 || p.nextToken() != null) {
                throw NotCanonical.INSTANCE;
            }
            return new OperationEvent(schema, batchId, workspaceId, seq, count, atomic, actor, stampedAt, clientId,
                    operation, documentId, baseVersion, data, idempotency, onConflict);
        }
    }

    private static DocumentData data(JsonParser p, JsonToken token) {
        if (token != JsonToken.START_OBJECT) {
            throw NotCanonical.INSTANCE;
        }
        String title = null;
        String content = null;
        String yjsStateB64 = null;
        for (String name = p.nextName(); name != null; name = p.nextName()) {
            JsonToken valueToken = p.nextToken();
            switch (name) {
                case "title" -> title = string(p, valueToken);
                case "content" -> content = string(p, valueToken);
                case "yjs_state_b64" -> yjsStateB64 = string(p, valueToken);
                default -> p.skipChildren();
            }
        }
        return new DocumentData(title, content, yjsStateB64);
    }

    private static Idempotency idempotency(JsonParser p, JsonToken token) {
        if (token != JsonToken.START_OBJECT) {
            throw NotCanonical.INSTANCE;
        }
        String key = null;
        String requestHash = null;
        for (String name = p.nextName(); name != null; name = p.nextName()) {
            JsonToken valueToken = p.nextToken();
            switch (name) {
                case "key" -> key = string(p, valueToken);
                case "request_hash" -> requestHash = string(p, valueToken);
                default -> p.skipChildren();
            }
        }
        return new Idempotency(key, requestHash);
    }

    private static int intValue(JsonParser p, JsonToken token) {
        if (token != JsonToken.VALUE_NUMBER_INT) {
            throw NotCanonical.INSTANCE;
        }
        return p.getIntValue();
    }

    private static String string(JsonParser p, JsonToken token) {
        return switch (token) {
            case VALUE_STRING -> p.getString();
            case VALUE_NULL -> null;
            default -> throw NotCanonical.INSTANCE;
        };
    }

    private static String requiredString(JsonParser p, JsonToken token) {
        if (token != JsonToken.VALUE_STRING) {
            throw NotCanonical.INSTANCE;
        }
        return p.getString();
    }

    /**
     * The writer's form {@code 2026-11-25T10:00:00.123Z} read digit by digit (what {@code Instant.parse} answers for
     * it, at a fraction of its cost); any other form is {@code Instant.parse}'s.
     */
    static Instant instant(String text) {
        if (text.length() != 24 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(19) != '.' || text.charAt(23) != 'Z') {
            return Instant.parse(text);
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        int millis = digits(text, 20, 3);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0
                || second > 59 || millis < 0) {
            return Instant.parse(text);
        }
        long days;
        try {
            days = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException noSuchDay) {
            return Instant.parse(text);
        }
        return Instant.ofEpochSecond(days * 86_400 + hour * 3_600 + minute * 60 + second, millis * 1_000_000L);
    }

    /** The decimal number in {@code text[from, from + length)}, or -1 when a character is not an ASCII digit. */
    private static int digits(String text, int from, int length) {
        int value = 0;
        for (int i = from; i < from + length; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** Only the 36-character form; databind's other forms (e.g. base64) are databind's to read. */
    private static UUID uuid(String text) {
        if (text == null || text.length() != 36) {
            throw NotCanonical.INSTANCE;
        }
        for (int i = 0; i < 36; i++) {
            char c = text.charAt(i);
            boolean ok = (i == 8 || i == 13 || i == 18 || i == 23) ? c == '-'
                    : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!ok) {
                throw NotCanonical.INSTANCE;
            }
        }
        return UUID.fromString(text);
    }
}
