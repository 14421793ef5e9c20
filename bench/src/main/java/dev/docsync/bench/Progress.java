package dev.docsync.bench;

/** One line per scenario, redrawn in place on a terminal, so a long run shows where it is. */
final class Progress {

    private final boolean terminal = System.console() != null;
    private String current = "";
    private long lastPrint;

    void step(String scenario, long done, long total) {
        long now = System.nanoTime();
        boolean finished = done >= total;
        if (!scenario.equals(current) || finished || now - lastPrint > 1_000_000_000L) {
            int percent = (int) Math.min(100, done * 100 / Math.max(1, total));
            String bar = "#".repeat(percent / 5) + ".".repeat(20 - percent / 5);
            String line = String.format("[bench] %-18s [%s] %3d%%", scenario, bar, percent);
            if (terminal) {
                System.out.print("\r" + line + (finished ? "\n" : ""));
            } else if (finished || !scenario.equals(current)) {
                System.out.println(line);
            }
            current = scenario;
            lastPrint = now;
        }
    }

    void note(String text) {
        System.out.println("[bench] " + text);
    }
}
