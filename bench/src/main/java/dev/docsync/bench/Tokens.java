package dev.docsync.bench;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.StringJoiner;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints HS256 tokens for the stack's secret in the format ingest-api accepts ({@code sub}, {@code iat},
 * {@code exp}, {@code workspaces}), in-process: one actor per client needs dozens of tokens, and starting the
 * jar's {@code token} command for each would take seconds apiece.
 */
final class Tokens {

    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

    private final SecretKeySpec key;

    Tokens(String secret) {
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /** A token for {@code user}, editor of every workspace given, valid for a day. */
    String editor(String user, List<String> workspaces) {
        long now = System.currentTimeMillis() / 1000;
        StringJoiner claims = new StringJoiner(",", "{", "}");
        for (String workspace : workspaces) {
            claims.add("\"" + workspace + "\":\"editor\"");
        }
        String payload = "{\"sub\":\"" + user + "\",\"iat\":" + now + ",\"exp\":" + (now + 86_400)
                + ",\"workspaces\":" + claims + "}";
        String signingInput = encode("{\"alg\":\"HS256\"}") + "." + encode(payload);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return signingInput + "." + URL.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static String encode(String json) {
        return URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
