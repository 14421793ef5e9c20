package dev.docsync.topic;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * {@code DOCSYNC_LOG_FORMAT=json} (the property {@code docsync.log-format}) switches the console to Spring Boot's
 * structured logging in Elastic Common Schema: one JSON object per line, the MDC ({@code batch_id},
 * {@code workspace_id}) included. Runs before the logging system starts; an explicit
 * {@code logging.structured.format.console} wins.
 */
public final class LogFormatEnvironment implements EnvironmentPostProcessor {

    static final String STRUCTURED = "logging.structured.format.console";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String format = environment.getProperty("docsync.log-format", environment.getProperty("DOCSYNC_LOG_FORMAT", ""));
        if (format.equalsIgnoreCase("json") && !environment.containsProperty(STRUCTURED)) {
            environment.getPropertySources().addLast(new MapPropertySource("docsyncLogFormat", Map.of(STRUCTURED, "ecs")));
        }
    }
}
