package dev.docsync.ingest.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class CursorsTest {

    @Test
    void aCursorGivesBackTheValueOfItsKind() {
        String cursor = Cursors.encode("d1", "ws_1/doc é");

        assertThat(cursor).matches("[A-Za-z0-9_-]+");
        assertThat(Cursors.decode("d1", cursor)).isEqualTo("ws_1/doc é");
    }

    @Test
    void aCursorOfAnotherListIsA400PointingAtTheParameter() {
        String other = Cursors.encode("h1", "ws.doc.3");

        assertThatThrownBy(() -> Cursors.decode("d1", other, "after"))
                .isInstanceOfSatisfying(ApiProblem.class, problem -> {
                    assertThat(problem.detail().getStatus()).isEqualTo(400);
                    assertThat(String.valueOf(problem.detail().getProperties())).contains("/query/after");
                });
    }

    @Test
    void whatIsNotABase64UrlUtf8StorableCursorIsA400() {
        String invalidUtf8 = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[] {'d', '1', ':', (byte) 0xC3});

        for (String cursor : new String[] {"***", invalidUtf8, Cursors.encode("d1", "a\u0000b"), ""}) {
            assertThatThrownBy(() -> Cursors.decode("d1", cursor)).as(cursor).isInstanceOf(ApiProblem.class);
        }
    }
}
