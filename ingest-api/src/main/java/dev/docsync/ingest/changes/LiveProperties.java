package dev.docsync.ingest.changes;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The read side's way back to clients: snapshot and change-feed pages, long-polls and event streams.
 *
 * @param pageStateBytes states one snapshot or {@code include=state} page carries at most (DESIGN: 8 MiB); a
 *     single larger document still comes, alone on its page
 * @param maxWait the longest {@code wait=N} of a long-poll (DESIGN: 60 s)
 * @param heartbeat how often an idle stream sends a comment line, so proxies and clients see it alive
 * @param maxLive long-polls and streams open at once in this instance; beyond it 503 + Retry-After
 * @param maxLivePerActor long-polls and streams one actor holds open at once in this instance; beyond it 429
 * @param retryAfter the {@code Retry-After} of those refusals
 * @param streamPageBytes states a stream reads at once (its memory, whatever how far behind it is)
 * @param streamDocumentBytes a stream event carries the document only when its state is at most this large
 * @param concurrentReads streams and long-polls reading the feed (and sending what they read) at once
 */
@ConfigurationProperties("docsync.live")
record LiveProperties(
        @DefaultValue("8MB") DataSize pageStateBytes,
        @DefaultValue("60s") Duration maxWait,
        @DefaultValue("15s") Duration heartbeat,
        @DefaultValue("2000") int maxLive,
        @DefaultValue("16") int maxLivePerActor,
        @DefaultValue("5s") Duration retryAfter,
        @DefaultValue("1MB") DataSize streamPageBytes,
        @DefaultValue("64KB") DataSize streamDocumentBytes,
        @DefaultValue("8") int concurrentReads) {
}
