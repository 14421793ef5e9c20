package dev.docsync.worker.consume;

import dev.docsync.contracts.DocsyncJson;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.contracts.OperationEventReader;
import java.util.OptionalInt;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Reads an operation event from a record value, as a tolerant reader (DESIGN §5): within a schema this worker
 * knows, fields it does not know are ignored (new fields are optional by rule); an event of a newer schema is a
 * {@link NewerSchemaException}, never an unreadable event; anything else that is not an event throws.
 */
public final class EventReader {

    private EventReader() {
    }

    /** Reads an event of a schema up to this build's ({@link OperationEvent#CURRENT_SCHEMA}). */
    public static OperationEvent read(byte[] value) {
        return read(value, OperationEvent.CURRENT_SCHEMA);
    }

    /** Reads an event of a schema up to {@code highestKnownSchema}. */
    public static OperationEvent read(byte[] value, int highestKnownSchema) {
        OperationEvent event;
        try {
            event = OperationEventReader.read(value);
        } catch (RuntimeException e) {
            // A newer schema may change the shape: tell it apart from garbage by its schema field alone.
            OptionalInt schema = schemaOf(value);
            if (schema.isPresent() && schema.getAsInt() > highestKnownSchema) {
                throw new NewerSchemaException(schema.getAsInt(), highestKnownSchema);
            }
            throw e;
        }
        if (event.schema() > highestKnownSchema) {
            throw new NewerSchemaException(event.schema(), highestKnownSchema);
        }
        if (event.schema() < 1) {
            throw new IllegalArgumentException("unsupported event schema " + event.schema());
        }
        return event;
    }

    /** The top-level integer {@code schema} field, read without building the event; empty when there is none. */
    static OptionalInt schemaOf(byte[] value) {
        try (JsonParser parser = DocsyncJson.mapper().createParser(value)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return OptionalInt.empty();
            }
            for (JsonToken token = parser.nextToken(); token == JsonToken.PROPERTY_NAME; token = parser.nextToken()) {
                String name = parser.currentName();
                JsonToken valueToken = parser.nextToken();
                if (name.equals("schema")) {
                    return valueToken == JsonToken.VALUE_NUMBER_INT ? OptionalInt.of(parser.getIntValue())
                            : OptionalInt.empty();
                }
                parser.skipChildren();
            }
            return OptionalInt.empty();
        } catch (RuntimeException notJson) {
            return OptionalInt.empty();
        }
    }
}
