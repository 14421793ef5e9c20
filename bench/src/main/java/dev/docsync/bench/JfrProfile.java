package dev.docsync.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the stack's CPU went, from a JFR recording ({@code jdk.ExecutionSample}), read with the
 * {@code jdk.jfr.consumer} API ({@code jfr print} trips over the Kafka broker's Scala names): shares by thread
 * role, by the library of the sampled (top) frame, inclusive shares of marked code paths, and the hottest methods.
 * {@code java -jar docsync-bench.jar --jfr stack.jfr [--out DIR]} writes {@code profile.md}.
 */
final class JfrProfile {

    /** Inclusive markers: a sample counts for each whose frame appears anywhere in its stack. */
    private static final Map<String, String> PATHS = new LinkedHashMap<>();

    static {
        PATHS.put("JSON (Jackson) anywhere", "tools.jackson.");
        PATHS.put("JWT decoding (Nimbus / Spring Security oauth2)", "org.springframework.security.oauth2.jwt.");
        PATHS.put("ingest: batch controller", "dev.docsync.ingest.batch.BatchController");
        PATHS.put("ingest: append to Kafka (OperationLog)", "dev.docsync.ingest.batch.OperationLog");
        PATHS.put("ingest: waiting / reading results (BatchWaiters, BatchReader)", "dev.docsync.ingest.batch.BatchWaiters|dev.docsync.projection.batches.BatchReader");
        PATHS.put("worker: apply transaction (ChunkApplier)", "dev.docsync.worker.apply.ChunkApplier");
        PATHS.put("worker: ProjectionWriter (JDBC writes)", "dev.docsync.projection.apply.ProjectionWriter");
        PATHS.put("worker: BatchApplier (decisions)", "dev.docsync.worker.apply.decide.BatchApplier");
        PATHS.put("worker: event decoding (EventReader)", "dev.docsync.worker.consume.EventReader");
        PATHS.put("PostgreSQL JDBC driver", "org.postgresql.");
        PATHS.put("Kafka producer (client)", "org.apache.kafka.clients.producer.");
        PATHS.put("Kafka consumer (client)", "org.apache.kafka.clients.consumer.");
        PATHS.put("Kafka broker (kafka.* / org.apache.kafka.storage|server|raft|coordinator)",
                "kafka.|org.apache.kafka.storage.|org.apache.kafka.server.|org.apache.kafka.raft.|org.apache.kafka.coordinator.");
        PATHS.put("compression (lz4)", "net.jpountz.");
        PATHS.put("Micrometer / observations", "io.micrometer.");
        PATHS.put("logging (logback / slf4j)", "ch.qos.logback.|org.slf4j.");
    }

    private JfrProfile() {
    }

    static void write(Path recording, Path out) throws IOException {
        Map<String, Long> byThread = new HashMap<>();
        Map<String, Long> byLibrary = new HashMap<>();
        Map<String, Long> byCaller = new HashMap<>();
        Map<String, Long> byPath = new LinkedHashMap<>();
        Map<String, Long> selfMethods = new HashMap<>();
        Map<String, Long> docsyncInclusive = new HashMap<>();
        Map<String, Long> allocByClass = new HashMap<>();
        Map<String, Long> allocBySite = new HashMap<>();
        long samples = 0;
        long allocated = 0;
        double gcPauseMillis = 0;
        long gcs = 0;
        List<double[]> cpuLoads = new ArrayList<>();
        Map<String, Long> gcByName = new HashMap<>();
        List<Long> heapAfterGc = new ArrayList<>();
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent event = file.readEvent();
                String type = event.getEventType().getName();
                switch (type) {
                    case "jdk.ExecutionSample" -> {
                        RecordedStackTrace stack = event.getStackTrace();
                        if (stack == null || stack.getFrames().isEmpty()) {
                            continue;
                        }
                        samples++;
                        String thread = event.getThread("sampledThread") == null ? "?"
                                : String.valueOf(event.getThread("sampledThread").getJavaName());
                        byThread.merge(role(thread), 1L, Long::sum);
                        List<RecordedFrame> frames = stack.getFrames();
                        String top = frames.getFirst().getMethod().getType().getName();
                        byLibrary.merge(library(top), 1L, Long::sum);
                        byCaller.merge(frames.stream().map(f -> f.getMethod().getType().getName())
                                .filter(c -> !isJdk(c)).findFirst().map(JfrProfile::library).orElse("JDK only"),
                                1L, Long::sum);
                        selfMethods.merge(method(frames.getFirst()), 1L, Long::sum);
                        Set<String> paths = new HashSet<>();
                        Set<String> methods = new HashSet<>();
                        for (RecordedFrame frame : frames) {
                            String cls = frame.getMethod().getType().getName();
                            PATHS.forEach((name, prefixes) -> {
                                for (String prefix : prefixes.split("\\|")) {
                                    if (cls.startsWith(prefix)) {
                                        paths.add(name);
                                    }
                                }
                            });
                            if (cls.startsWith("dev.docsync.")) {
                                methods.add(method(frame));
                            }
                        }
                        paths.forEach(p -> byPath.merge(p, 1L, Long::sum));
                        methods.forEach(m -> docsyncInclusive.merge(m, 1L, Long::sum));
                    }
                    case "jdk.ObjectAllocationSample" -> {
                        long weight = event.getLong("weight");
                        allocated += weight;
                        allocByClass.merge(event.getClass("objectClass").getName(), weight, Long::sum);
                        RecordedStackTrace stack = event.getStackTrace();
                        if (stack != null) {
                            for (RecordedFrame frame : stack.getFrames()) {
                                if (frame.getMethod().getType().getName().startsWith("dev.docsync.")) {
                                    allocBySite.merge(method(frame), weight, Long::sum);
                                    break;
                                }
                            }
                        }
                    }
                    case "jdk.GarbageCollection" -> {
                        gcs++;
                        gcPauseMillis += event.getDuration("sumOfPauses").toNanos() / 1e6;
                        gcByName.merge(event.getString("name") + " (" + event.getString("cause") + ")", 1L, Long::sum);
                    }
                    case "jdk.GCHeapSummary" -> {
                        if ("After GC".equals(event.getString("when"))) {
                            heapAfterGc.add(event.getLong("heapUsed"));
                        }
                    }
                    case "jdk.CPULoad" -> cpuLoads.add(new double[] {event.getFloat("jvmUser"),
                        event.getFloat("jvmSystem"), event.getFloat("machineTotal")});
                    default -> {
                    }
                }
            }
        }
        long total = samples;
        StringBuilder md = new StringBuilder("# Where the stack's CPU went\n\n");
        md.append("Recording: `").append(recording.getFileName()).append("`, ").append(samples)
                .append(" Java execution samples (JFR `settings=profile`). Shares are of those samples: they cover Java"
                        + " code on CPU in the stack JVM (ingest, apply-worker and the Kafka broker share it); GC and JIT"
                        + " threads are not sampled and appear only in the JVM CPU load below.\n\n");
        if (!cpuLoads.isEmpty()) {
            double user = cpuLoads.stream().mapToDouble(c -> c[0]).average().orElse(0);
            double system = cpuLoads.stream().mapToDouble(c -> c[1]).average().orElse(0);
            double machine = cpuLoads.stream().mapToDouble(c -> c[2]).average().orElse(0);
            md.append(String.format(Locale.ROOT, "JVM CPU load (average of %d `jdk.CPULoad` events, share of all"
                    + " cores): user %.0f %%, system %.0f %%; whole machine %.0f %%. GC: %d collections, %.0f ms of"
                    + " pauses in all.%n%n", cpuLoads.size(), 100 * user, 100 * system, 100 * machine, gcs, gcPauseMillis));
        }
        if (gcs > 0) {
            md.append(String.format(Locale.ROOT, "Heap used after GC: average %.0f MiB, max %.0f MiB (heap limit from"
                    + " the stack's -Xmx). Collections: %s.%n%n",
                    heapAfterGc.stream().mapToLong(l -> l).average().orElse(0) / 1048576.0,
                    heapAfterGc.stream().mapToLong(l -> l).max().orElse(0) / 1048576.0, gcByName));
        }
        table(md, "By thread role", byThread, samples, 30);
        table(md, "By library, JDK frames charged to the library that called them", byCaller, samples, 30);
        table(md, "By library of the sampled (top) frame", byLibrary, samples, 30);
        md.append("## Inclusive shares of code paths\n\nA sample counts for every path on its stack, so these overlap.\n\n");
        md.append("| path | share |\n|---|---|\n");
        byPath.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> md.append("| ").append(e.getKey()).append(" | ").append(pct(e.getValue(), total)).append(" |\n"));
        md.append('\n');
        table(md, "docsync methods, inclusive (on the stack)", docsyncInclusive, samples, 30);
        table(md, "Hottest methods (self: the sampled top frame)", selfMethods, samples, 30);
        if (allocated > 0) {
            table(md, "Allocation by class (sampled weight)", allocByClass, allocated, 15);
            table(md, "Allocation by the nearest docsync frame (sampled weight)", allocBySite, allocated, 15);
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve("profile.md"), md.toString());
    }

    private static void table(StringBuilder md, String title, Map<String, Long> counts, long total, int limit) {
        md.append("## ").append(title).append("\n\n| what | share |\n|---|---|\n");
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(limit)
                .forEach(e -> md.append("| `").append(e.getKey()).append("` | ").append(pct(e.getValue(), total))
                        .append(" |\n"));
        md.append('\n');
    }

    private static String pct(long part, long total) {
        return String.format(Locale.ROOT, "%.1f %%", 100.0 * part / Math.max(1, total));
    }

    private static String method(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    /** Thread names, with their numbers dropped, grouped into what the thread does. */
    static String role(String thread) {
        String t = thread.toLowerCase(Locale.ROOT);
        if (t.contains("kafkalistenerendpointcontainer") || t.contains("-c-") || t.contains("docsync-apply")) {
            return "apply-worker consumer threads";
        }
        if (t.contains("producer-network")) {
            return "Kafka producer network thread";
        }
        if (t.contains("consumer_background") || t.contains("consumer-network") || t.contains("heartbeat")) {
            return "Kafka consumer background threads";
        }
        if (t.contains("request-handler") || t.contains("kafka-network") || t.contains("data-plane") || t.contains("broker")
                || t.contains("controller") || t.contains("raft") || t.contains("replica") || t.contains("log-cleaner")
                || t.contains("kafka-scheduler") || t.contains("group-coordinator") || t.contains("transaction")
                || t.contains("quorum") || t.contains("expiration")) {
            return "Kafka broker threads (" + thread.replaceAll("[0-9]+", "N") + ")";
        }
        if (t.contains("append") || t.contains("lane")) {
            return "ingest append lanes (" + thread.replaceAll("[0-9]+", "N") + ")";
        }
        if (t.isEmpty() || t.contains("tomcat") || t.contains("http-nio") || t.contains("exec")) {
            return "ingest HTTP request threads (virtual / Tomcat)";
        }
        return thread.replaceAll("[0-9]+", "N");
    }

    private static boolean isJdk(String cls) {
        return cls.startsWith("java.") || cls.startsWith("jdk.") || cls.startsWith("sun.") || cls.startsWith("javax.")
                || cls.startsWith("com.sun.");
    }

    private static String library(String cls) {
        String[][] libraries = {
            {"dev.docsync.", "docsync"}, {"tools.jackson.", "Jackson (JSON)"}, {"org.postgresql.", "PostgreSQL JDBC"},
            {"com.zaxxer.hikari.", "Hikari"}, {"org.apache.kafka.", "Kafka (clients, broker Java parts)"},
            {"kafka.", "Kafka broker (Scala)"}, {"scala.", "Scala runtime (broker)"}, {"net.jpountz.", "lz4"},
            {"org.springframework.security.", "Spring Security"}, {"com.nimbusds.", "Nimbus JOSE (JWT)"},
            {"org.springframework.", "Spring (other)"}, {"org.apache.tomcat.", "Tomcat"},
            {"org.apache.catalina.", "Tomcat"}, {"org.apache.coyote.", "Tomcat"}, {"io.micrometer.", "Micrometer"},
            {"ch.qos.logback.", "logging"}, {"org.slf4j.", "logging"}, {"com.github.benmanes.caffeine.", "Caffeine"},
            {"io.github.bucket4j.", "bucket4j"}, {"java.util.regex.", "JDK regex"}, {"java.util.zip.", "JDK zip/CRC"},
            {"java.util.concurrent.", "JDK concurrency"}, {"java.", "JDK (other)"}, {"jdk.", "JDK internal"},
            {"sun.", "JDK internal"}, {"com.fasterxml.jackson.", "Jackson 2 (broker)"}};
        for (String[] library : libraries) {
            if (cls.startsWith(library[0])) {
                return library[1];
            }
        }
        return cls.contains(".") ? cls.substring(0, cls.lastIndexOf('.')) : cls;
    }
}
