package dev.docsync.local;

import com.nimbusds.jose.jwk.source.ImmutableSecret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

/** Mints HS256 tokens in the format ingest-api accepts: {@code sub}, {@code exp}, {@code workspaces}. */
public final class DevTokens {

    private final JwtEncoder encoder;

    public DevTokens(String secret) {
        SecretKeySpec key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.encoder = new NimbusJwtEncoder(new ImmutableSecret<>(key));
    }

    /** @param workspaces workspace id → role ({@code viewer}, {@code editor}, {@code admin}) */
    public String mint(String user, Map<String, String> workspaces, Duration validFor) {
        Instant now = Instant.now();
        return mint(user, workspaces, now, now.plus(validFor));
    }

    /** {@code expiresAt} null mints a token without {@code exp}, which docsync refuses (for tests). */
    public String mint(String user, Map<String, ?> workspaces, Instant issuedAt, Instant expiresAt) {
        JwtClaimsSet.Builder builder = JwtClaimsSet.builder()
                .subject(user)
                .issuedAt(issuedAt)
                .claim("workspaces", workspaces);
        if (expiresAt != null) {
            builder.expiresAt(expiresAt);
        }
        JwtClaimsSet claims = builder.build();
        return encoder.encode(JwtEncoderParameters.from(JwsHeader.with(MacAlgorithm.HS256).build(), claims))
                .getTokenValue();
    }
}
