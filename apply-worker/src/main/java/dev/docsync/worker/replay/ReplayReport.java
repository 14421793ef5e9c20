package dev.docsync.worker.replay;

import dev.docsync.projection.replay.ProjectionChecksums.TableComparison;

/** The human-readable summary a replay prints at the end. */
public final class ReplayReport {

    private ReplayReport() {
    }

    public static String format(ReplayCommand.Report report) {
        StringBuilder out = new StringBuilder();
        out.append("replay into schema ").append(report.schema()).append('\n')
                .append(String.format("  applied %,d events (%,d batches) in %,d ms: %,d events/s%n", report.events(),
                        report.batches(), report.applyTime().toMillis(), Math.round(report.eventsPerSecond())))
                .append(String.format("  verified in %,d ms%n", report.verifyTime().toMillis()));
        for (TableComparison table : report.tables()) {
            out.append(String.format("  %-18s %s  live %,d rows %s  replay %,d rows %s%n", table.table(),
                    table.equal() ? "EQUAL    " : "DIFFERENT", table.liveRows(), table.liveChecksum(),
                    table.replayRows(), table.replayChecksum()));
            if (!table.equal()) {
                out.append("    first difference: ").append(table.firstDifference()).append('\n');
            }
        }
        out.append(report.equal() ? "  result: EQUAL" : "  result: DIFFERENT");
        if (report.swapped()) {
            out.append("; swapped in");
        }
        return out.toString();
    }
}
