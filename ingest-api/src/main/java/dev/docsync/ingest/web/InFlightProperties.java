package dev.docsync.ingest.web;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * What slow or greedy clients may hold of an instance (DESIGN §6.8). The instance-wide body budget is
 * {@code docsync.ingest.max-bodies-in-flight}.
 *
 * @param bodiesPerActor request body bytes one actor may hold at once (its share of the body budget); beyond it
 *     429 + Retry-After
 * @param bodyGrace a body may pause this long between two pieces, and need not keep {@code bodyMinRate} during
 *     its first {@code bodyGrace}; then 408
 * @param bodyMinRate bytes per second a body must average after {@code bodyGrace}; slower is 408
 * @param answers bytes of large answers (documents, batch results) this instance holds at once while callers
 *     read them; beyond it 503 + Retry-After
 * @param answersPerActor bytes of answers one actor may hold at once; beyond it 429 + Retry-After
 */
@ConfigurationProperties("docsync.in-flight")
public record InFlightProperties(
        @DefaultValue("24MB") DataSize bodiesPerActor,
        @DefaultValue("10s") Duration bodyGrace,
        @DefaultValue("16KB") DataSize bodyMinRate,
        @DefaultValue("64MB") DataSize answers,
        @DefaultValue("24MB") DataSize answersPerActor) {
}
