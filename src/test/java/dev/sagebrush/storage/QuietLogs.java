package dev.sagebrush.storage;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * Without a logback configuration the root level is DEBUG, and s3proxy, its shaded Jetty, XNIO/Undertow and the
 * apache5 wire log then write megabytes per 5 MiB transfer. The project's logback.xml is not ours to own, so
 * tests in this package set the levels they need themselves.
 */
final class QuietLogs {
    private QuietLogs() {}

    static void apply() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.INFO);
        for (String name : new String[] {"org.gaul", "org.eclipse.jetty", "org.apache.hc", "software.amazon.awssdk",
                "io.undertow", "org.xnio", "org.jboss"}) {
            ((Logger) LoggerFactory.getLogger(name)).setLevel(Level.WARN);
        }
    }
}
