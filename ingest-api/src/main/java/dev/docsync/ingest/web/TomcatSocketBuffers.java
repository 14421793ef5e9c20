package dev.docsync.ingest.web;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * {@code docsync.tomcat.socket-buffer} (bytes; unset: Tomcat's 8,192) sizes each connection's socket read and
 * write buffers. Every open connection holds both, an idle event stream too: with 1,000 streams, 4,096 saves about
 * 12 KiB of heap per stream (the bench's way-back scenario measures it), at the price of more, smaller reads and
 * writes for large bodies.
 */
@Component
class TomcatSocketBuffers implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    private final int bytes;

    TomcatSocketBuffers(@Value("${docsync.tomcat.socket-buffer:0}") int bytes) {
        this.bytes = bytes;
    }

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        if (bytes > 0) {
            factory.addConnectorCustomizers(connector -> {
                connector.setProperty("socket.appReadBufSize", String.valueOf(bytes));
                connector.setProperty("socket.appWriteBufSize", String.valueOf(bytes));
            });
        }
    }
}
