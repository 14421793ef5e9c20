package dev.docsync.worker.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.docsync.contracts.DocsyncJson;
import dev.docsync.contracts.DocumentData;
import dev.docsync.contracts.OperationEvent;
import dev.docsync.contracts.OperationType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class EventReaderTest {

    private static ObjectNode event() {
        return (ObjectNode) DocsyncJson.mapper().valueToTree(new OperationEvent(1, UUID.randomUUID(), "ws", 0, 1,
                false, "a", Instant.EPOCH, "c0", OperationType.CREATE, "d", null, new DocumentData("t", "c", null)));
    }

    private static byte[] bytes(ObjectNode node) {
        return DocsyncJson.mapper().writeValueAsBytes(node);
    }

    @Test
    void fieldsThisWorkerDoesNotKnowAreIgnoredWithinItsSchema() {
        ObjectNode node = event();
        node.put("added_later", "x");
        node.putObject("nested_later").putArray("deep").add(1);

        assertThat(EventReader.read(bytes(node)).documentId()).isEqualTo("d");
    }

    @Test
    void anEventOfANewerSchemaIsNotUnreadable() {
        ObjectNode node = event();
        node.put("schema", 2);

        assertThatThrownBy(() -> EventReader.read(bytes(node)))
                .isInstanceOfSatisfying(NewerSchemaException.class, e -> assertThat(e.schema()).isEqualTo(2));
        assertThat(EventReader.read(bytes(node), 2).schema()).isEqualTo(2);
    }

    @Test
    void aNewerSchemaIsRecognisedEvenWhenItsShapeChanged() {
        byte[] future = "{\"data\": {\"x\": [1, {\"schema\": 9}]}, \"schema\": 3, \"operation\": 17}"
                .getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> EventReader.read(future))
                .isInstanceOfSatisfying(NewerSchemaException.class, e -> assertThat(e.schema()).isEqualTo(3));
    }

    @Test
    void garbageAndUnknownOldSchemasStayUnreadable() {
        ObjectNode zero = event();
        zero.put("schema", 0);

        assertThatThrownBy(() -> EventReader.read("{\"schema\": 1, trunc".getBytes(StandardCharsets.UTF_8)))
                .isNotInstanceOf(NewerSchemaException.class);
        assertThatThrownBy(() -> EventReader.read("not json".getBytes(StandardCharsets.UTF_8)))
                .isNotInstanceOf(NewerSchemaException.class);
        assertThatThrownBy(() -> EventReader.read(bytes(zero))).isInstanceOf(IllegalArgumentException.class)
                .isNotInstanceOf(NewerSchemaException.class);
    }
}
