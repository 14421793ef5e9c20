package dev.docsync.ingest.web;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

@Configuration
class WebConfig implements WebMvcConfigurer {

    private final HandlerInterceptor rateLimiter;
    private final PathIds pathIds;

    WebConfig(HandlerInterceptor actorRateLimiter, PathIds pathIds) {
        this.rateLimiter = actorRateLimiter;
        this.pathIds = pathIds;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(rateLimiter).addPathPatterns("/api/**");
        registry.addInterceptor(pathIds).addPathPatterns("/api/**");
    }
}
