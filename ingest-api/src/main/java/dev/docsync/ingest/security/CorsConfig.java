package dev.docsync.ingest.security;

import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;

/**
 * Browsers on other origins may call the API only when {@code DOCSYNC_CORS_ORIGINS} lists them (comma-separated,
 * e.g. {@code http://localhost:5173}; {@code *} for any). Off by default: with no origins no CORS headers are
 * sent and browsers refuse cross-origin calls. Tokens travel in {@code Authorization}, never in cookies, so
 * credentials are not allowed.
 */
@Configuration(proxyBeanMethods = false)
class CorsConfig {

    @Bean
    CorsConfigurationSource corsOrigins(@Value("${docsync.cors.origins:}") List<String> origins) {
        List<String> allowed = origins.stream().map(String::trim).filter(o -> !o.isEmpty()).toList();
        if (allowed.isEmpty()) {
            return request -> null;
        }
        CorsConfiguration configuration = new CorsConfiguration();
        configuration.setAllowedOriginPatterns(allowed);
        configuration.setAllowedMethods(List.of("GET", "POST", "PUT", "DELETE", "OPTIONS"));
        configuration.setAllowedHeaders(List.of("Authorization", "Content-Type", "Idempotency-Key", "Prefer", "If-Match"));
        configuration.setExposedHeaders(List.of("ETag", "Location", "Retry-After", "Preference-Applied"));
        configuration.setMaxAge(600L);
        return request -> request.getRequestURI().startsWith("/api/") ? configuration : null;
    }
}
