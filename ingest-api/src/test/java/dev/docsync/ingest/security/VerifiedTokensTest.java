package dev.docsync.ingest.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

class VerifiedTokensTest {

    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

    private final Instant now = Instant.now();
    private final AtomicLong nanos = new AtomicLong();
    private final AtomicInteger verifications = new AtomicInteger();
    private final NimbusJwtDecoder nimbus = NimbusJwtDecoder.withSecretKey(new SecretKeySpec(SECRET, "HmacSHA256"))
            .macAlgorithm(MacAlgorithm.HS256).build();
    private final JwtDecoder counting = token -> {
        verifications.incrementAndGet();
        return nimbus.decode(token);
    };
    private final VerifiedTokens tokens = new VerifiedTokens(counting, Clock.fixed(now, ZoneOffset.UTC),
            (Ticker) nanos::get);

    @Test
    void aTokenSentAgainIsNotVerifiedAgain() {
        String token = token("alice", now.plus(Duration.ofHours(1)));

        assertThat(tokens.decode(token).getSubject()).isEqualTo("alice");
        assertThat(tokens.decode(token).getSubject()).isEqualTo("alice");

        assertThat(verifications).hasValue(1);
    }

    @Test
    void aRememberedTokenIsVerifiedAgainOnceItsExpiryHasPassed() {
        String token = token("alice", now.plus(Duration.ofSeconds(30)));
        tokens.decode(token);

        advance(Duration.ofSeconds(29));
        tokens.decode(token);
        assertThat(verifications).hasValue(1);

        advance(Duration.ofSeconds(2));
        tokens.decode(token);
        assertThat(verifications).hasValue(2);
    }

    @Test
    void noTokenIsRememberedLongerThanTheMaximumAge() {
        String token = token("alice", now.plus(Duration.ofDays(30)));
        tokens.decode(token);

        advance(VerifiedTokens.MAX_AGE.plusSeconds(1));
        tokens.decode(token);

        assertThat(verifications).hasValue(2);
    }

    @Test
    void aRejectedTokenIsDecidedAfreshEachTime() {
        String expired = token("alice", now.minus(Duration.ofMinutes(5)));
        String forged = token("mallory", now.plus(Duration.ofHours(1))).replaceFirst("\\.[^.]*$", ".c2lnbmF0dXJl");

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> tokens.decode(expired)).isInstanceOf(JwtValidationException.class);
            assertThatThrownBy(() -> tokens.decode(forged)).isInstanceOf(
                    org.springframework.security.oauth2.jwt.BadJwtException.class);
        }

        assertThat(verifications).hasValue(4);
    }

    @Test
    void aRememberedTokenWithAnotherSignatureIsVerifiedAndRefused() {
        String token = token("alice", now.plus(Duration.ofHours(1)));
        tokens.decode(token);
        String resigned = token.substring(0, token.lastIndexOf('.') + 1) + "c2lnbmF0dXJl";

        assertThatThrownBy(() -> tokens.decode(resigned))
                .isInstanceOf(org.springframework.security.oauth2.jwt.BadJwtException.class);
        assertThatThrownBy(() -> tokens.decode(resigned))
                .isInstanceOf(org.springframework.security.oauth2.jwt.BadJwtException.class);

        assertThat(verifications).hasValue(3);
        assertThat(tokens.decode(token).getSubject()).isEqualTo("alice");
        assertThat(verifications).hasValue(3);
    }

    private void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    private static String token(String subject, Instant expiresAt) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
                    .subject(subject).expirationTime(Date.from(expiresAt)).build());
            jwt.sign(new MACSigner(SECRET));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
