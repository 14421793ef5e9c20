package dev.docsync.ingest.batch;

import java.time.Duration;
import java.util.Locale;

/**
 * The RFC 7240 {@code Prefer} header as it concerns a batch: {@code respond-async} and {@code wait=N}
 * (seconds). Unknown preferences are ignored, as the RFC asks.
 */
record Preferences(boolean respondAsync, Duration waitFor) {

    static Preferences parse(String header, Duration defaultWait, Duration maxWait) {
        boolean async = false;
        Duration wait = defaultWait;
        if (header != null) {
            for (String token : header.split(",")) {
                String pref = token.trim().toLowerCase(Locale.ROOT);
                if (pref.equals("respond-async")) {
                    async = true;
                } else if (pref.startsWith("wait=")) {
                    try {
                        long seconds = Long.parseLong(pref.substring("wait=".length()).trim());
                        if (seconds >= 0) {
                            wait = Duration.ofSeconds(seconds);
                        }
                    } catch (NumberFormatException ignored) {
                        // a malformed preference is ignored, not an error (RFC 7240 §2)
                    }
                }
            }
        }
        return new Preferences(async, wait.compareTo(maxWait) > 0 ? maxWait : wait);
    }
}
