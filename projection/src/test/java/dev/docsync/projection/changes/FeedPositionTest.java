package dev.docsync.projection.changes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class FeedPositionTest {

    private static String base64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aCursorNamesExactlyThePositionItWasMadeFrom() {
        FeedPosition position = new FeedPosition(5, 9_007_199_254_740_993L, 12);

        assertThat(FeedPosition.fromCursor(position.cursor())).contains(position);
        assertThat(FeedPosition.fromCursor(FeedPosition.START.cursor())).contains(FeedPosition.START);
    }

    @Test
    void aCursorIsOpaque() {
        assertThat(new FeedPosition(1, 2, 3).cursor()).doesNotContain("1", ".").matches("[A-Za-z0-9_-]+");
    }

    @Test
    void anythingButACursorOfThisFeedNamesNoPosition() {
        assertThat(FeedPosition.fromCursor("not base64!")).isEmpty();
        assertThat(FeedPosition.fromCursor(base64("d1:ws.doc"))).isEmpty(); // another list's cursor
        assertThat(FeedPosition.fromCursor(base64("c1:1.2"))).isEmpty();
        assertThat(FeedPosition.fromCursor(base64("c1:1.2.3.4"))).isEmpty();
        assertThat(FeedPosition.fromCursor(base64("c1:9999999999.2.3"))).isEmpty(); // beyond an int
        assertThat(FeedPosition.fromCursor(base64("c1:1.2.3\n"))).isEmpty();
        assertThat(FeedPosition.fromCursor("")).isEmpty();
    }
}
