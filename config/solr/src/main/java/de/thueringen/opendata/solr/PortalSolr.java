package de.thueringen.opendata.solr;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import org.apache.solr.core.CoreContainer;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * Runs the portal's Solr as a real HTTP server on 127.0.0.1.
 *
 * <p>Usage: {@code PortalSolr <solrHome> <port> <coreName>}. The Solr home is
 * prepared by scripts/stack.py (solr.xml plus one core that uses the "ckan"
 * config set from config/solr/configsets).
 *
 * <p>JettySolrRunner starts happily even when a core fails to load, so the
 * launcher checks the core container itself: a core that did not load ends the
 * process with Solr's own reason, instead of a server that answers 404 later.
 */
public final class PortalSolr {

    private PortalSolr() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: PortalSolr <solrHome> <port> <coreName>");
            System.exit(64);
        }
        Path solrHome = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        String coreName = args[2];
        if (!Files.isRegularFile(solrHome.resolve("solr.xml"))) {
            System.err.println("PortalSolr: no solr.xml in " + solrHome);
            System.exit(66);
        }

        JettyConfig jettyConfig = JettyConfig.builder()
                .setPort(port)
                .setContext("/solr")
                .stopAtShutdown(true)
                .build();
        JettySolrRunner solr = new JettySolrRunner(solrHome.toString(), new Properties(), jettyConfig);
        try {
            solr.start();
        } catch (Exception e) {
            System.err.println("PortalSolr: Solr did not start on 127.0.0.1:" + port + ": " + describe(e));
            System.exit(70);
        }

        CoreContainer cores = solr.getCoreContainer();
        Map<String, CoreContainer.CoreLoadFailure> failures = cores.getCoreInitFailures();
        if (!failures.isEmpty()) {
            for (Map.Entry<String, CoreContainer.CoreLoadFailure> failure : failures.entrySet()) {
                System.err.println("PortalSolr: core '" + failure.getKey() + "' failed to load: "
                        + describe(failure.getValue().exception));
            }
            solr.stop();
            System.exit(78);
        }
        if (!cores.getAllCoreNames().contains(coreName)) {
            System.err.println("PortalSolr: core '" + coreName + "' not found in " + solrHome
                    + " (cores: " + cores.getAllCoreNames() + ")");
            solr.stop();
            System.exit(78);
        }

        System.out.println("PortalSolr: ready at http://127.0.0.1:" + solr.getLocalPort() + "/solr/" + coreName);
        System.out.flush();
        // Block until the JVM is told to stop; stopAtShutdown closes Jetty and the cores cleanly.
        Thread.currentThread().join();
    }

    /** Solr wraps the real reason in several layers; show the whole chain once. */
    private static String describe(Throwable error) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (text.length() > 0) {
                text.append(" <- caused by: ");
            }
            text.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
            if (t.getCause() == t) {
                break;
            }
        }
        return text.toString();
    }
}
