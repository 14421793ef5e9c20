package dev.docsync.contracts;

import java.util.Optional;

/**
 * What PostgreSQL's {@code text} (UTF-8) can store: no U+0000 and no unpaired surrogate (which has no UTF-8
 * form). Every string a client sends passes this check before anything is appended to the log, so the
 * projection never meets a value it must refuse.
 */
public final class StorableText {

    private StorableText() {
    }

    /** Why {@code value} cannot be stored, or empty when it can. */
    public static Optional<String> problem(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\u0000') {
                return Optional.of("must not contain U+0000 (at character " + i + ")");
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return Optional.of("must not contain an unpaired surrogate (at character " + i + ")");
            }
            if (Character.isLowSurrogate(c)) {
                return Optional.of("must not contain an unpaired surrogate (at character " + i + ")");
            }
        }
        return Optional.empty();
    }

    public static boolean isStorable(String value) {
        return problem(value).isEmpty();
    }

    /** {@code value} with U+0000 and unpaired surrogates replaced by U+FFFD; null stays null. */
    public static String sanitize(String value) {
        if (value == null || isStorable(value)) {
            return value;
        }
        StringBuilder clean = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                clean.append(c).append(value.charAt(++i));
            } else if (c == '\u0000' || Character.isSurrogate(c)) {
                clean.append('\uFFFD');
            } else {
                clean.append(c);
            }
        }
        return clean.toString();
    }

    /** At most {@code max} characters of a storable {@code value} (never cutting a surrogate pair), "…" when cut. */
    public static String abbreviate(String value, int max) {
        String clean = sanitize(value);
        if (clean.length() <= max) {
            return clean;
        }
        int end = Character.isHighSurrogate(clean.charAt(max - 1)) ? max - 1 : max;
        return clean.substring(0, end) + "…";
    }
}
