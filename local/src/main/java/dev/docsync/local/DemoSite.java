package dev.docsync.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Local mode only: the demo web app ({@code clients/demo}, built to {@code clients/demo/dist}) at {@code /demo/}
 * on the API's own origin, so it needs no CORS, and {@code /demo/dev-users.json}, ready tokens for a few dev
 * users (editors of {@code ws_demo}) for the demo's login box. Both are open: local mode is a developer's
 * machine, and the tokens are for its own generated or configured secret. Active when
 * {@code docsync.demo.directory} names a directory holding {@code index.html}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty("docsync.demo.directory")
class DemoSite implements WebMvcConfigurer {

    static final String PROPERTY = "docsync.demo.directory";
    static final List<String> DEV_USERS = List.of("alice", "bob", "carol");

    private final Path directory;

    DemoSite(@Value("${docsync.demo.directory}") Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
    }

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        registry.addResourceHandler("/demo/**").addResourceLocations("file:" + directory + "/")
                .setCacheControl(CacheControl.noCache());
    }

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    SecurityFilterChain demoPages(HttpSecurity http) throws Exception {
        return http.securityMatcher("/demo", "/demo/", "/demo/**")
                .csrf(csrf -> csrf.disable())
                .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                .build();
    }

    @RestController
    static class Pages {

        private final Path index;
        private final DevTokens tokens;

        Pages(@Value("${docsync.demo.directory}") Path directory, @Value("${docsync.jwt.secret}") String secret) {
            this.index = directory.toAbsolutePath().normalize().resolve("index.html");
            this.tokens = new DevTokens(secret);
        }

        @GetMapping({"/demo", "/demo/"})
        ResponseEntity<Resource> index() {
            if (!Files.isRegularFile(index)) {
                return ResponseEntity.notFound().build();
            }
            return ResponseEntity.ok().contentType(MediaType.TEXT_HTML).cacheControl(CacheControl.noCache())
                    .body(new FileSystemResource(index));
        }

        record DevUser(String user, String workspace_id, String role, String token) {
        }

        @GetMapping("/demo/dev-users.json")
        List<DevUser> devUsers() {
            return DEV_USERS.stream().map(user -> new DevUser(user, LocalMode.DEV_WORKSPACE, "editor",
                    tokens.mint(user, Map.of(LocalMode.DEV_WORKSPACE, "editor"), Duration.ofDays(1)))).toList();
        }
    }
}
