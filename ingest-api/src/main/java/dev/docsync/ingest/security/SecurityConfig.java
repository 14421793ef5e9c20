package dev.docsync.ingest.security;

import dev.docsync.contracts.StorableText;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.cors.CorsConfigurationSource;

/**
 * Every API call needs a valid bearer JWT; open are the health probes, the Prometheus scrape and the API
 * description (OpenAPI + Swagger UI). In production, move management off the public port with
 * {@code MANAGEMENT_SERVER_PORT}.
 */
@Configuration
class SecurityConfig {

    private static final int MIN_SECRET_BYTES = 32;

    @Bean
    SecurityFilterChain api(HttpSecurity http, ProblemAuthenticationEntryPoint entryPoint,
            CorsConfigurationSource corsOrigins) throws Exception {
        return http
                .csrf(csrf -> csrf.disable())
                // Cross-origin callers only where DOCSYNC_CORS_ORIGINS names them (CorsConfig); preflights need no token.
                .cors(cors -> cors.configurationSource(corsOrigins))
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus", "/error")
                        .permitAll()
                        // The API description and its UI hold no data; calls made from the UI still need a token.
                        .requestMatchers("/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**")
                        .permitAll()
                        .anyRequest().authenticated())
                .oauth2ResourceServer(o -> o.jwt(jwt -> { }).authenticationEntryPoint(entryPoint))
                .exceptionHandling(e -> e.authenticationEntryPoint(entryPoint))
                .build();
    }

    @Bean
    JwtDecoder jwtDecoder(JwtProperties properties) {
        NimbusJwtDecoder decoder;
        if (properties.jwkSetUriValue().isPresent()) {
            decoder = NimbusJwtDecoder.withJwkSetUri(properties.jwkSetUriValue().get()).build();
        } else if (properties.secretValue().isPresent()) {
            byte[] secret = properties.secretValue().get().getBytes(StandardCharsets.UTF_8);
            if (secret.length < MIN_SECRET_BYTES) {
                throw new IllegalStateException("docsync.jwt.secret (DOCSYNC_JWT_SECRET) must be at least "
                        + MIN_SECRET_BYTES + " bytes for HS256");
            }
            decoder = NimbusJwtDecoder.withSecretKey(new SecretKeySpec(secret, "HmacSHA256"))
                    .macAlgorithm(MacAlgorithm.HS256).build();
        } else {
            throw new IllegalStateException(
                    "No token verification configured: set docsync.jwt.jwk-set-uri (DOCSYNC_JWT_JWK_SET_URI) "
                            + "or docsync.jwt.secret (DOCSYNC_JWT_SECRET)");
        }
        decoder.setJwtValidator(validator(properties));
        return new VerifiedTokens(decoder);
    }

    /** Longest actor ({@code sub}) accepted: it is stored with every version the actor writes. */
    static final int MAX_SUBJECT_LENGTH = 255;

    /**
     * exp (required: a token without it would never expire) and nbf with the default 60 s clock skew; issuer
     * and audience when configured; a subject always, one the projection can store.
     */
    private static OAuth2TokenValidator<Jwt> validator(JwtProperties properties) {
        List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
        validators.add(properties.issuerValue().map(JwtValidators::createDefaultWithIssuer)
                .orElseGet(JwtValidators::createDefault));
        validators.add(new JwtClaimValidator<Instant>(JwtClaimNames.EXP, Objects::nonNull));
        validators.add(new JwtClaimValidator<String>(JwtClaimNames.SUB, sub -> sub != null && !sub.isBlank()
                && sub.length() <= MAX_SUBJECT_LENGTH && StorableText.isStorable(sub)));
        properties.audienceValue().ifPresent(audience -> validators.add(
                new JwtClaimValidator<List<String>>(JwtClaimNames.AUD, aud -> aud != null && aud.contains(audience))));
        return new DelegatingOAuth2TokenValidator<>(validators);
    }
}
