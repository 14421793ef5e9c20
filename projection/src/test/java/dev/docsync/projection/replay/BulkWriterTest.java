package dev.docsync.projection.replay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BulkWriterTest {

    @Test
    void aTextWithANulOrALoneSurrogateGoesThroughTheLiveWritersStatements() {
        assertThat(BulkWriter.plain("tab\there, back\\slash, line\nbreak, \\N, emoji \uD83D\uDE00")).isTrue();
        assertThat(BulkWriter.plain((String) null)).isTrue();
        assertThat(BulkWriter.plain("a\u0000b")).isFalse();
        assertThat(BulkWriter.plain("high \uD83D alone")).isFalse();
        assertThat(BulkWriter.plain("ends high \uD83D")).isFalse();
        assertThat(BulkWriter.plain("low \uDE00 alone")).isFalse();
        assertThat(BulkWriter.plain("reversed \uDE00\uD83D")).isFalse();
    }
}
