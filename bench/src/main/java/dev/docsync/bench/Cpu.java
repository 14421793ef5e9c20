package dev.docsync.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time from /proc (Linux) of the processes a run shares the machine between: the stack JVM, PostgreSQL
 * (postmaster, its live backends, and through {@code cutime} the backends that have exited), this bench JVM,
 * and the whole machine (the other engineers' builds show up as the rest).
 */
final class Cpu {

    private static final double TICKS_PER_SECOND = 100.0;

    /** Cumulative CPU seconds at one moment. */
    record Sample(long nanos, double stack, double postgres, double bench, double machineBusy) {
    }

    /** Average cores busy between two samples (1.0 = one core fully busy). */
    record Share(double stack, double postgres, double bench, double other) {

        static Share between(Sample from, Sample to) {
            double seconds = Math.max(1e-9, (to.nanos() - from.nanos()) / 1e9);
            double stack = (to.stack() - from.stack()) / seconds;
            double postgres = (to.postgres() - from.postgres()) / seconds;
            double bench = (to.bench() - from.bench()) / seconds;
            double busy = (to.machineBusy() - from.machineBusy()) / seconds;
            return new Share(round(stack), round(postgres), round(bench),
                    round(Math.max(0, busy - stack - postgres - bench)));
        }

        private static double round(double cores) {
            return Math.round(cores * 100) / 100.0;
        }
    }

    private final long stackPid;
    private final Path postgresData;

    Cpu(long stackPid, Path postgresData) {
        this.stackPid = stackPid;
        this.postgresData = postgresData;
    }

    Sample sample() {
        return new Sample(System.nanoTime(), own(stackPid), postgres(), own(ProcessHandle.current().pid()),
                machineBusy());
    }

    /** CPU seconds of {@code pid}'s threads. */
    private static double own(long pid) {
        long[] t = ticks(pid);
        return (t[0] + t[1]) / TICKS_PER_SECOND;
    }

    private double postgres() {
        try {
            long postmaster = Long.parseLong(Files.readAllLines(postgresData.resolve("postmaster.pid")).getFirst().trim());
            long[] p = ticks(postmaster);
            double seconds = (p[0] + p[1] + p[2] + p[3]) / TICKS_PER_SECOND;
            return seconds + ProcessHandle.of(postmaster).map(h -> h.children().mapToDouble(c -> own(c.pid())).sum())
                    .orElse(0.0);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** utime, stime, cutime, cstime of a process, in clock ticks; zeros when it is gone. */
    private static long[] ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])};
        } catch (IOException | RuntimeException e) {
            return new long[4];
        }
    }

    private static double machineBusy() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
            String[] f = lines.getFirst().trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
