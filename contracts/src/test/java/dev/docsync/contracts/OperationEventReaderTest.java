package dev.docsync.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.docsync.contracts.OperationEvent.Idempotency;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class OperationEventReaderTest {

    private static final UUID BATCH = UUID.fromString("0193f0c2-0000-7000-8000-000000000001");
    private static final Instant STAMPED = Instant.parse("2026-11-25T10:00:00.123Z");

    /** What a reader answered: the event, or the type and message of what it threw. */
    sealed interface Outcome permits Read, Threw {
    }

    record Read(OperationEvent event) implements Outcome {
    }

    record Threw(Class<?> type, String message) implements Outcome {
    }

    private static Outcome outcome(Supplier<OperationEvent> reader) {
        try {
            return new Read(reader.get());
        } catch (RuntimeException e) {
            return new Threw(e.getClass(), e.getMessage());
        }
    }

    private static Outcome assertSameOutcome(byte[] value) {
        Outcome streaming = outcome(() -> OperationEventReader.read(value));
        Outcome databind = outcome(() -> OperationEventReader.readWithDatabind(value));
        if (!streaming.equals(databind)) {
            assertThat(streaming).as(new String(value, StandardCharsets.UTF_8)).isEqualTo(databind);
        }
        return streaming;
    }

    private static Outcome assertSameOutcome(String json) {
        return assertSameOutcome(json.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] written(OperationEvent event) {
        return DocsyncJson.mapper().writeValueAsBytes(event);
    }

    private static OperationEvent event(String clientId, OperationType operation, Long baseVersion, DocumentData data,
            Idempotency idempotency, OnConflict onConflict) {
        return new OperationEvent(1, BATCH, "ws_acme", 1, 3, true, "user-1", STAMPED, clientId, operation, "d-1",
                baseVersion, data, idempotency, onConflict);
    }

    @Test
    void readsEveryCombinationOfOptionalFieldsAsTheWriterWroteThem() {
        List<String> clientIds = java.util.Arrays.asList(null, "op_1");
        List<Long> baseVersions = java.util.Arrays.asList(null, 0L, 7L, Long.MAX_VALUE);
        List<DocumentData> datas = new ArrayList<>(java.util.Arrays.asList(null, DocumentData.EMPTY));
        for (int mask = 1; mask < 8; mask++) {
            datas.add(new DocumentData((mask & 1) != 0 ? "Title" : null, (mask & 2) != 0 ? "Content\nline 2" : null,
                    (mask & 4) != 0 ? "AQID" : null));
        }
        List<Idempotency> keys = java.util.Arrays.asList(null, new Idempotency("key-1", "sha256:ab12"));
        int combinations = 0;
        for (String clientId : clientIds) {
            for (OperationType operation : OperationType.values()) {
                for (Long baseVersion : baseVersions) {
                    for (DocumentData data : datas) {
                        for (Idempotency key : keys) {
                            for (OnConflict onConflict : OnConflict.values()) {
                                OperationEvent event = event(clientId, operation, baseVersion, data, key, onConflict);
                                byte[] bytes = written(event);

                                assertThat(OperationEventReader.readCanonical(bytes)).isEqualTo(event);
                                assertThat(assertSameOutcome(bytes)).isEqualTo(new Read(event));
                                combinations++;
                            }
                        }
                    }
                }
            }
        }
        assertThat(combinations).isEqualTo(2 * 3 * 4 * 9 * 2 * 2);
    }

    @Test
    void absentOptionalFieldsReadAsTheirDefaults() {
        ObjectNode node = DocsyncJson.mapper().valueToTree(event("op_1", OperationType.UPDATE, 4L,
                new DocumentData("t", "c", "AQID"), new Idempotency("k", "h"), OnConflict.MERGE));
        for (String field : List.of("client_id", "base_version", "data", "idempotency", "on_conflict")) {
            node.remove(field);
            assertSameOutcome(DocsyncJson.mapper().writeValueAsBytes(node));
        }
        Outcome bare = assertSameOutcome(DocsyncJson.mapper().writeValueAsBytes(node));
        assertThat(bare).isEqualTo(new Read(event(null, OperationType.UPDATE, null, null, null, OnConflict.REPORT)));

        for (String field : List.of("title", "content", "yjs_state_b64")) {
            assertSameOutcome("{\"schema\":1,\"batch_id\":\"" + BATCH + "\",\"workspace_id\":\"w\",\"seq\":0,\"count\":1,"
                    + "\"atomic\":false,\"actor\":\"a\",\"stamped_at\":\"2026-11-25T10:00:00.123Z\",\"operation\":"
                    + "\"create\",\"document_id\":\"d\",\"data\":{\"" + field + "\":\"x\"}}");
        }
    }

    @Test
    void unknownFieldsAreIgnoredAtEveryLevel() {
        String json = """
                {"future": {"schema": 9, "data": [1, {"title": "no"}]}, "schema": 1, "batch_id": "%s",
                 "workspace_id": "w", "seq": 0, "count": 1, "atomic": false, "actor": "a", "later": [[], {}, null],
                 "stamped_at": "2026-11-25T10:00:00.123Z", "operation": "create", "document_id": "d",
                 "data": {"title": "T", "nested_later": {"content": "no"}, "content": "C", "n": 1.5e300},
                 "idempotency": {"key": "k", "algo": "sha-512", "request_hash": "h", "x": [true, false]},
                 "on_conflict": "merge", "z": "last"}
                """.formatted(BATCH);

        Outcome read = assertSameOutcome(json);

        assertThat(read).isEqualTo(new Read(new OperationEvent(1, BATCH, "w", 0, 1, false, "a", STAMPED, null,
                OperationType.CREATE, "d", null, new DocumentData("T", "C", null), new Idempotency("k", "h"),
                OnConflict.MERGE)));
        assertThat(OperationEventReader.readCanonical(json.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(((Read) read).event());
    }

    @Test
    void numbersAndLiteralsInOtherFormsAreReadAsTheMapperReadsThem() {
        String template = "{\"schema\":%s,\"batch_id\":\"%s\",\"workspace_id\":\"w\",\"seq\":%s,\"count\":%s,"
                + "\"atomic\":%s,\"actor\":\"a\",\"stamped_at\":\"2026-11-25T10:00:00.123Z\",\"operation\":\"update\","
                + "\"document_id\":\"d\",\"base_version\":%s}";
        List<String> ints = List.of("1", "\"1\"", "1.0", "1e0", "1.5", "-0", "null", "true", "\"x\"", "2147483648",
                "01", "[1]", "{}");
        List<String> booleans = List.of("true", "false", "\"true\"", "1", "0", "null", "\"yes\"");
        List<String> longs = List.of("5", "\"5\"", "5.0", "5.5", "null", "9223372036854775807",
                "9223372036854775808", "-1", "false", "[]");
        for (String schema : ints) {
            assertSameOutcome(template.formatted(schema, BATCH, "0", "1", "false", "null"));
            assertSameOutcome(template.formatted("1", BATCH, schema, "2", "false", "null"));
            assertSameOutcome(template.formatted("1", BATCH, "0", schema, "false", "null"));
        }
        for (String atomic : booleans) {
            assertSameOutcome(template.formatted("1", BATCH, "0", "1", atomic, "null"));
        }
        for (String baseVersion : longs) {
            assertSameOutcome(template.formatted("1", BATCH, "0", "1", "true", baseVersion));
        }
        for (String batchId : List.of(BATCH.toString().toUpperCase(), "1-1-1-1-1", "AZPwwgAAcACAAAAAAAAAAQ==", "",
                "0193f0c2-0000-7000-8000-00000000000g")) {
            assertSameOutcome(template.formatted("1", batchId, "0", "1", "true", "null"));
        }
    }

    @Test
    void stringsWithEscapesAndSurrogatePairsReadTheSame() {
        String json = """
                {"schema":1,"batch_id":"%s","workspace_id":"w\\u00e9","seq":0,"count":1,"atomic":false,
                 "actor":"\\ud83d\\ude00 ok","stamped_at":"2026-11-25T10:00:00.123Z","operation":"cr\\u0065ate",
                 "document_id":"d\\"1\\\\/\\n","client_id":"\\/\\b\\f\\r\\t",
                 "data":{"title":"😀 中文 é","content":"a\\u0000b","yjs_state_b64":"AQ\\u003d\\u003d"}}
                """.formatted(BATCH);

        Outcome read = assertSameOutcome(json);

        assertThat(read).isInstanceOfSatisfying(Read.class, r -> {
            assertThat(r.event().actor()).isEqualTo("\uD83D\uDE00 ok");
            assertThat(r.event().documentId()).isEqualTo("d\"1\\/\n");
            assertThat(r.event().operation()).isEqualTo(OperationType.CREATE);
            assertThat(r.event().data()).isEqualTo(new DocumentData("😀 中文 é", "a\u0000b", "AQ=="));
        });
    }

    @Test
    void readsTimesAsInstantParseDoes() {
        Random random = new Random(7);
        List<String> times = new ArrayList<>(List.of("2026-11-25T10:00:00.123Z", "0000-01-01T00:00:00.000Z",
                "9999-12-31T23:59:59.999Z", "2024-02-29T12:00:00.000Z", "2023-02-29T12:00:00.000Z",
                "2026-13-01T00:00:00.000Z", "2026-00-10T00:00:00.000Z", "2026-04-31T00:00:00.000Z",
                "2026-11-25T24:00:00.000Z", "2026-11-25T23:60:00.000Z", "2026-11-25T23:59:60.000Z",
                "2026-11-25T10:00:00.12aZ", "2026-11-25T10:00:00.123+", "2026-11-25 10:00:00.123Z",
                "2026-11-25T10:00:00Z", "2026-11-25T10:00:00.123456Z", "-026-11-25T10:00:00.123Z",
                "２026-11-25T10:00:00.123Z", "2026-11-25t10:00:00.123Z"));
        for (int i = 0; i < 20_000; i++) {
            times.add(DocsyncJson.formatInstant(Instant.ofEpochMilli(random.nextLong(-62_167_219_200_000L,
                    253_402_300_800_000L))));
        }
        for (String time : times) {
            Object expected;
            try {
                expected = Instant.parse(time);
            } catch (RuntimeException e) {
                expected = e.getClass();
            }
            Object actual;
            try {
                actual = OperationEventReader.instant(time);
            } catch (RuntimeException e) {
                actual = e.getClass();
            }
            if (!actual.equals(expected)) {
                assertThat(actual).as(time).isEqualTo(expected);
            }
        }
    }

    @Test
    void malformedInputsThrowWhatTheMapperThrows() {
        String good = new String(written(event("c", OperationType.CREATE, null, DocumentData.EMPTY, null,
                OnConflict.REPORT)), StandardCharsets.UTF_8);
        List<String> malformed = List.of("", " ", "[]", "1", "\"event\"", "not json", "{", "{}",
                good.substring(0, good.length() - 1), good + " x", good + "{}", good.replace("\"seq\":1", "\"seq\":3"),
                good.replace("\"actor\":\"user-1\",", "\"actor\":\"user-1\",\"actor\":\"again\","),
                good.replace("\"data\":{", "\"data\":{\"title\":\"x\",\"title\":\"y\","),
                good.replace("\"operation\":\"create\"", "\"operation\":\"Create\""),
                good.replace("\"operation\":\"create\"", "\"operation\":17"),
                good.replace("\"operation\":\"create\"", "\"operation\":null"),
                good.replace("\"stamped_at\":\"2026-11-25T10:00:00.123Z\"", "\"stamped_at\":\"yesterday\""),
                good.replace("\"stamped_at\":\"2026-11-25T10:00:00.123Z\"", "\"stamped_at\":1764064800"),
                good.replace("\"workspace_id\":\"ws_acme\",", ""),
                good.replace("\"data\":{", "\"data\":[{").replace("}}", "}]}"),
                good.replace("}", ",\"idempotency\":{\"key\":\"k\"}}"),
                good.replace("}", ",\"idempotency\":\"k\"}"),
                good.replace("}", ",\"on_conflict\":\"MERGE\"}"),
                good.replace("}", ",\"on_conflict\":null}"));
        for (String input : malformed) {
            Outcome outcome = assertSameOutcome(input);
            if (!input.contains("\"on_conflict\":null")) {
                assertThat(outcome).as(input).isInstanceOf(Threw.class);
            }
        }
        assertThatThrownBy(() -> OperationEventReader.read(new byte[] {(byte) 0xff, (byte) 0xfe, 0}))
                .isInstanceOf(RuntimeException.class);
        // Databind answers a JSON null with no event at all; this reader says it is not an event.
        assertThat(OperationEventReader.readWithDatabind("null".getBytes(StandardCharsets.UTF_8))).isNull();
        assertThatThrownBy(() -> OperationEventReader.read("null".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an event");
    }

    @Test
    void agreesWithTheMapperOnManyGeneratedEventsAndTheirCorruptions() {
        Random random = new Random(22);
        int read = 0;
        int canonical = 0;
        for (int i = 0; i < 5_000; i++) {
            RandomEvent generated = RandomEvent.generate(random);
            byte[] bytes = generated.json().getBytes(StandardCharsets.UTF_8);
            if (assertSameOutcome(bytes) instanceof Read) {
                read++;
            }
            if (generated.canonical()
                    && outcome(() -> OperationEventReader.readWithDatabind(bytes)) instanceof Read(OperationEvent event)) {
                assertThat(OperationEventReader.readCanonical(bytes)).isEqualTo(event);
                assertThat(OperationEventReader.read(written(event))).isEqualTo(event);
                canonical++;
            }
            if (i % 4 == 0) {
                byte[] corrupt = bytes.clone();
                corrupt[random.nextInt(corrupt.length)] = (byte) " {}[]\":,0a\\".charAt(random.nextInt(11));
                assertSameOutcome(corrupt);
                assertSameOutcome(java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length)));
            }
        }
        // The generator must mostly produce readable events, or the comparison proves little.
        assertThat(read).isGreaterThan(2_500);
        assertThat(canonical).isGreaterThan(2_000);
    }

    /** A hand-written event: random field order, values, escapes, unknown fields and, sometimes, other forms. */
    record RandomEvent(String json, boolean canonical) {

        static RandomEvent generate(Random r) {
            boolean[] canonical = {true};
            List<String> fields = new ArrayList<>();
            int count = 1 + r.nextInt(5);
            fields.add(field(r, "schema", number(r, r.nextInt(20) == 0 ? r.nextInt(4) : 1, canonical)));
            fields.add(field(r, "batch_id", quoted(r, r.nextBoolean() ? UUID.randomUUID().toString()
                    : UUID.randomUUID().toString().toUpperCase())));
            fields.add(field(r, "workspace_id", quoted(r, text(r))));
            fields.add(field(r, "seq", number(r, r.nextInt(50) == 0 ? count : r.nextInt(count), canonical)));
            fields.add(field(r, "count", number(r, count, canonical)));
            fields.add(field(r, "atomic", r.nextInt(30) == 0 ? other(r, canonical, "\"true\"", "1", "0")
                    : String.valueOf(r.nextBoolean())));
            fields.add(field(r, "actor", quoted(r, text(r))));
            Instant stamped = Instant.ofEpochMilli(1_700_000_000_000L + r.nextInt(Integer.MAX_VALUE));
            fields.add(field(r, "stamped_at", quoted(r, r.nextInt(10) == 0 ? stamped.toString()
                    : DocsyncJson.formatInstant(stamped))));
            optional(r, fields, "client_id", () -> quoted(r, text(r)));
            String operation = r.nextInt(100) == 0 ? "Delete" : OperationType.values()[r.nextInt(3)].wire();
            fields.add(field(r, "operation", quoted(r, operation)));
            fields.add(field(r, "document_id", quoted(r, text(r))));
            optional(r, fields, "base_version", () -> r.nextInt(20) == 0 ? other(r, canonical, "\"3\"", "3.0")
                    : String.valueOf(r.nextInt(5) == 0 ? r.nextLong() : r.nextInt(1000)));
            optional(r, fields, "data", () -> object(r, List.of("title", "content", "yjs_state_b64")));
            optional(r, fields, "idempotency", () -> r.nextInt(50) == 0 ? "{\"key\":\"k\"}"
                    : object(r, List.of("key", "request_hash")).replace("null", "\"v\""));
            if (r.nextBoolean()) {
                fields.add(field(r, "on_conflict", quoted(r, r.nextBoolean() ? "merge" : "report")));
            }
            for (int unknown = r.nextInt(4); unknown > 0; unknown--) {
                fields.add(field(r, "x_" + r.nextInt(1000), anyValue(r, 3)));
            }
            Collections.shuffle(fields, r);
            return new RandomEvent("{" + String.join(",", fields) + "}", canonical[0]);
        }

        private static String field(Random r, String name, String value) {
            return space(r) + "\"" + name + "\"" + space(r) + ":" + space(r) + value + space(r);
        }

        private static String space(Random r) {
            return r.nextInt(8) == 0 ? " \n\t".substring(r.nextInt(3)) : "";
        }

        private static void optional(Random r, List<String> fields, String name, Supplier<String> value) {
            switch (r.nextInt(3)) {
                case 0 -> fields.add(field(r, name, "null"));
                case 1 -> fields.add(field(r, name, value.get()));
                default -> {
                    // absent
                }
            }
        }

        private static String number(Random r, int value, boolean[] canonical) {
            if (r.nextInt(40) == 0) {
                canonical[0] = false;
                return List.of("\"" + value + "\"", value + ".0", value + "e0").get(r.nextInt(3));
            }
            return String.valueOf(value);
        }

        private static String other(Random r, boolean[] canonical, String... forms) {
            canonical[0] = false;
            return forms[r.nextInt(forms.length)];
        }

        private static String object(Random r, List<String> known) {
            List<String> fields = new ArrayList<>();
            for (String name : known) {
                switch (r.nextInt(3)) {
                    case 0 -> fields.add(field(r, name, quoted(r, text(r))));
                    case 1 -> fields.add(field(r, name, "null"));
                    default -> {
                        // absent
                    }
                }
            }
            if (r.nextInt(4) == 0) {
                fields.add(field(r, "later_" + r.nextInt(10), anyValue(r, 2)));
            }
            Collections.shuffle(fields, r);
            return "{" + String.join(",", fields) + "}";
        }

        private static String anyValue(Random r, int depth) {
            int kind = depth == 0 ? r.nextInt(5) : r.nextInt(7);
            return switch (kind) {
                case 0 -> quoted(r, text(r));
                case 1 -> String.valueOf(r.nextLong());
                case 2 -> String.valueOf(r.nextDouble() * 1e10);
                case 3 -> String.valueOf(r.nextBoolean());
                case 4 -> "null";
                case 5 -> {
                    List<String> items = new ArrayList<>();
                    for (int i = r.nextInt(4); i > 0; i--) {
                        items.add(anyValue(r, depth - 1));
                    }
                    yield "[" + String.join(",", items) + "]";
                }
                default -> {
                    List<String> items = new ArrayList<>();
                    for (int i = r.nextInt(4); i > 0; i--) {
                        items.add(field(r, List.of("schema", "data", "title", "k" + i).get(r.nextInt(4)),
                                anyValue(r, depth - 1)));
                    }
                    // Duplicate names inside an unknown object make the whole event unreadable, for both readers.
                    yield "{" + String.join(",", items) + "}";
                }
            };
        }

        private static final String ALPHABET = "abcXYZ 019_-\"\\/\n\t\u0001é中€😀\u0000";

        private static String text(Random r) {
            StringBuilder s = new StringBuilder();
            int[] codePoints = ALPHABET.codePoints().toArray();
            for (int i = r.nextInt(12); i > 0; i--) {
                s.appendCodePoint(codePoints[r.nextInt(codePoints.length)]);
            }
            return s.toString();
        }

        /** {@code value} as a JSON string, each character either raw or escaped. */
        private static String quoted(Random r, String value) {
            StringBuilder s = new StringBuilder("\"");
            for (char c : value.toCharArray()) {
                boolean mustEscape = c == '"' || c == '\\' || c < 0x20;
                if (mustEscape || r.nextInt(6) == 0) {
                    switch (c) {
                        case '"' -> s.append("\\\"");
                        case '\\' -> s.append("\\\\");
                        case '\n' -> s.append(r.nextBoolean() ? "\\n" : "\\u000a");
                        default -> s.append(String.format("\\u%04x", (int) c));
                    }
                } else {
                    s.append(c);
                }
            }
            return s.append('"').toString();
        }
    }
}
