package dev.docsync.contracts;

import java.util.regex.Pattern;

/**
 * The one rule for ids, wherever they arrive (body, path, token claim): letters, digits and {@code _ . : -},
 * not starting with {@code . : -}; workspace ids up to 64, document ids up to 128 characters.
 */
public final class Ids {

    public static final int MAX_WORKSPACE_ID_LENGTH = 64;
    public static final int MAX_DOCUMENT_ID_LENGTH = 128;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:-]*");

    private Ids() {
    }

    public static boolean isWorkspaceId(String value) {
        return isId(value, MAX_WORKSPACE_ID_LENGTH);
    }

    public static boolean isDocumentId(String value) {
        return isId(value, MAX_DOCUMENT_ID_LENGTH);
    }

    public static boolean isId(String value, int maxLength) {
        return value != null && !value.isEmpty() && value.length() <= maxLength && ID.matcher(value).matches();
    }

    public static String rule(int maxLength) {
        return "must be 1 to " + maxLength + " characters of letters, digits and _ . : - (not starting with . : -)";
    }
}
