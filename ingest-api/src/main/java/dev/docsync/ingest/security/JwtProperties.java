package dev.docsync.ingest.security;

import java.net.URI;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How tokens are checked: a JWK set URI (production) or an HS256 shared secret (local mode, UTF-8, at
 * least 32 bytes). There is no default secret: without one of the two the service does not start.
 */
@ConfigurationProperties("docsync.jwt")
public record JwtProperties(String secret, URI jwkSetUri, String issuer, String audience) {
}
