package dev.docsync.contracts;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;

/**
 * The one JSON mapping of docsync: snake_case fields, strict reading (unknown fields, duplicate keys and
 * trailing data are errors) and times as ISO-8601 UTC with milliseconds.
 */
public final class DocsyncJson {

    private static final DateTimeFormatter MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private static final JsonMapper MAPPER = builder().build();

    private DocsyncJson() {
    }

    public static JsonMapper mapper() {
        return MAPPER;
    }

    public static JsonMapper.Builder builder() {
        SimpleModule times = new SimpleModule("docsync-times")
                .addSerializer(Instant.class, new InstantSerializer())
                .addDeserializer(Instant.class, new InstantDeserializer());
        return JsonMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .addModule(times);
    }

    /** {@code 2026-11-25T10:00:00.123Z}: always three fractional digits, so clients can compare strings. */
    public static String formatInstant(Instant instant) {
        return MILLIS.format(instant);
    }

    private static final class InstantSerializer extends ValueSerializer<Instant> {
        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializationContext ctxt) {
            gen.writeString(formatInstant(value));
        }
    }

    private static final class InstantDeserializer extends ValueDeserializer<Instant> {
        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) {
            return Instant.parse(p.getValueAsString());
        }
    }
}
