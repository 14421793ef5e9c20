package dev.docsync.ingest.security;

import java.util.Optional;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How tokens are checked: a JWK set URI (production) or an HS256 shared secret (local mode, UTF-8, at
 * least 32 bytes). There is no default secret: without one of the two the service does not start.
 */
@ConfigurationProperties("docsync.jwt")
public record JwtProperties(String secret, String jwkSetUri, String issuer, String audience) {

    /** Blank counts as unset, so an empty environment variable never switches a check on. */
    private static Optional<String> given(String value) {
        return Optional.ofNullable(value).filter(v -> !v.isBlank());
    }

    public Optional<String> secretValue() {
        return given(secret);
    }

    public Optional<String> jwkSetUriValue() {
        return given(jwkSetUri);
    }

    public Optional<String> issuerValue() {
        return given(issuer);
    }

    public Optional<String> audienceValue() {
        return given(audience);
    }
}
