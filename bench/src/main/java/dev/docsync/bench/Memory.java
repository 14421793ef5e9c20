package dev.docsync.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** Resident memory from /proc (Linux): the stack JVM's peak, and PostgreSQL's processes for its data directory. */
final class Memory {

    private Memory() {
    }

    /**
     * PostgreSQL has no single process whose high-water mark says its peak, so its PSS is sampled every
     * second for as long as this runs, and the highest sum kept.
     */
    static final class PostgresPeak implements AutoCloseable {

        private final AtomicLong peak = new AtomicLong(-1);
        private final Thread sampler;

        PostgresPeak(Path dataDirectory) {
            sampler = Thread.ofPlatform().daemon().name("postgres-memory").start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peak.accumulateAndGet(postgresRssMiB(dataDirectory), Math::max);
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        long peakMiB() {
            return peak.get();
        }

        @Override
        public void close() {
            sampler.interrupt();
        }
    }

    /** VmRSS (resident set now) of {@code pid} in MiB, or -1 where /proc is not available. */
    static long rssMiB(long pid) {
        return statusKiB(Path.of("/proc", String.valueOf(pid), "status"), "VmRSS:") / 1024;
    }

    /** The stack JVM's resident memory now and its peak so far, for the progress log: which scenario sets the peak. */
    static String soFar(long pid) {
        return String.format("stack JVM RSS %d MiB, peak so far %d MiB", rssMiB(pid), peakRssMiB(pid));
    }

    /** VmHWM (peak resident set) of {@code pid} in MiB, or -1 where /proc is not available. */
    static long peakRssMiB(long pid) {
        return statusKiB(Path.of("/proc", String.valueOf(pid), "status"), "VmHWM:") / 1024;
    }

    /**
     * Current proportional resident memory (PSS: shared pages split between the processes sharing them) of the
     * PostgreSQL server on {@code dataDirectory}: postmaster from its pid file plus all backends, in MiB.
     */
    static long postgresRssMiB(Path dataDirectory) {
        try {
            long postmaster = Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).getFirst().trim());
            return ProcessHandle.of(postmaster).map(p -> Stream.concat(Stream.of(p), p.descendants())
                    .mapToLong(h -> statusKiB(Path.of("/proc", String.valueOf(h.pid()), "smaps_rollup"), "Pss:"))
                    .filter(kib -> kib > 0).sum() / 1024).orElse(-1L);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long statusKiB(Path status, String field) {
        try {
            return Files.readAllLines(status).stream().filter(l -> l.startsWith(field))
                    .map(l -> l.replaceAll("[^0-9]", "")).mapToLong(Long::parseLong).findFirst().orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }
}
