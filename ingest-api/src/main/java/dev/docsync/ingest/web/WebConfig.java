package dev.docsync.ingest.web;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

@Configuration
class WebConfig implements WebMvcConfigurer {

    private final HandlerInterceptor rateLimiter;
    private final PathIds pathIds;
    private final RequestBodies bodies;
    private final AnswerBudget answers;

    WebConfig(HandlerInterceptor actorRateLimiter, PathIds pathIds, RequestBodies bodies, AnswerBudget answers) {
        this.rateLimiter = actorRateLimiter;
        this.pathIds = pathIds;
        this.bodies = bodies;
        this.answers = answers;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(rateLimiter).addPathPatterns("/api/**");
        registry.addInterceptor(pathIds).addPathPatterns("/api/**");
        registry.addInterceptor(bodies).addPathPatterns("/api/**");
        registry.addInterceptor(answers).addPathPatterns("/api/**");
    }
}
