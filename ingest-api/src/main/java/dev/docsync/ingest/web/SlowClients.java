package dev.docsync.ingest.web;

import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * Tomcat waits at most {@code docsync.in-flight.body-grace} for the next piece of a request body (its upload
 * timeout, which only applies while a body is read); {@link RequestBodies} answers the timeout with 408. Without
 * it, a body could pause for Tomcat's connection timeout (60 s) between any two bytes, for as long as it likes in
 * all. Requests without a body (reads, long polls, event streams) are not affected.
 */
@Component
class SlowClients implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    private final InFlightProperties inFlight;

    SlowClients(InFlightProperties inFlight) {
        this.inFlight = inFlight;
    }

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addConnectorCustomizers(connector -> {
            if (connector.getProtocolHandler() instanceof AbstractHttp11Protocol<?> http) {
                http.setDisableUploadTimeout(false);
                http.setConnectionUploadTimeout((int) Math.min(Integer.MAX_VALUE, inFlight.bodyGrace().toMillis()));
            }
        });
    }
}
