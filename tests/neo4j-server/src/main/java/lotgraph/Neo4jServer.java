package lotgraph;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.internal.helpers.HostnamePort;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * Embedded Neo4j 5 community server with the Bolt connector and authentication
 * enabled, for lotgraph development and integration tests.
 *
 * <pre>
 * java -cp 'target/classes:target/lib/*' lotgraph.Neo4jServer \
 *     --home DIR [--host 127.0.0.1] [--port 7687|0] [--password-file FILE] [--pagecache-mb 256]
 * </pre>
 *
 * The password for user {@code neo4j} is read from {@code --password-file}
 * (first line) or else from the environment variable {@code NEO4J_PASSWORD};
 * it is (re)applied on every start, so the data directory can be reused.
 * With {@code --port 0} an ephemeral port is chosen. When the server accepts
 * Bolt connections, one line {@code READY bolt://HOST:PORT} is printed to
 * stdout. SIGTERM/SIGINT shut the database down cleanly.
 */
public final class Neo4jServer {

    private static void usage(String msg) {
        System.err.println("error: " + msg);
        System.err.println("usage: Neo4jServer --home DIR [--host 127.0.0.1] [--port PORT] "
                + "[--password-file FILE] [--pagecache-mb MB]");
        System.exit(2);
    }

    public static void main(String[] args) throws Exception {
        Path home = null;
        String host = "127.0.0.1";
        int port = 7687;
        Path passwordFile = null;
        long pagecacheMb = 256;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                usage("missing value for " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--home" -> home = Path.of(v);
                case "--host" -> host = v;
                case "--port" -> port = Integer.parseInt(v);
                case "--password-file" -> passwordFile = Path.of(v);
                case "--pagecache-mb" -> pagecacheMb = Long.parseLong(v);
                default -> usage("unknown argument " + a);
            }
        }
        if (home == null) {
            usage("--home is required");
        }
        String password = readPassword(passwordFile);
        if (password == null || password.length() < 8) {
            usage("a password of at least 8 characters is required "
                    + "(--password-file FILE or env NEO4J_PASSWORD)");
        }

        Files.createDirectories(home);
        long t0 = System.nanoTime();
        DatabaseManagementService dbms;
        try {
            dbms = build(home, host, port, pagecacheMb);
        } catch (Throwable t) {
            System.err.println("FAILED to start: " + t);
            t.printStackTrace();
            System.exit(1);
            return;
        }

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("STOPPING");
            System.out.flush();
            try {
                dbms.shutdown();
            } catch (Throwable t) {
                t.printStackTrace();
            }
            System.out.println("STOPPED");
            System.out.flush();
            stopped.countDown();
        }, "neo4j-shutdown"));

        try {
            GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
            setPassword(system, password);

            GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
            if (!db.isAvailable(Duration.ofMinutes(5).toMillis())) {
                throw new IllegalStateException("default database did not become available");
            }
            db.executeTransactionally("RETURN 1");

            int boltPort = port;
            HostnamePort bound = ((GraphDatabaseAPI) system).getDependencyResolver()
                    .resolveDependency(ConnectorPortRegister.class)
                    .getLocalAddress(ConnectorType.BOLT);
            if (bound != null) {
                boltPort = bound.getPort();
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("neo4j " + org.neo4j.kernel.internal.Version.getNeo4jVersion()
                    + " started in " + ms + " ms, home " + home.toAbsolutePath());
            System.out.println("READY bolt://" + host + ":" + boltPort);
            System.out.flush();
        } catch (Throwable t) {
            System.err.println("FAILED to start: " + t);
            t.printStackTrace();
            System.exit(1); // runs the shutdown hook
        }

        stopped.await();
    }

    private static DatabaseManagementService build(Path home, String host, int port, long pagecacheMb) {
        return new DatabaseManagementServiceBuilder(home.toAbsolutePath())
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress(host, port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pagecacheMb))
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                .setConfig(GraphDatabaseSettings.shutdown_transaction_end_timeout, Duration.ofSeconds(5))
                // Bolt waits 5 s + 5 s on shutdown by default; a dev/test server need not.
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
                .build();
    }

    private static String readPassword(Path passwordFile) throws IOException {
        if (passwordFile != null) {
            String content = Files.readString(passwordFile, StandardCharsets.UTF_8);
            int nl = content.indexOf('\n');
            return (nl >= 0 ? content.substring(0, nl) : content).strip();
        }
        return System.getenv("NEO4J_PASSWORD");
    }

    /** Sets the password of user neo4j through the system database (community edition). */
    private static void setPassword(GraphDatabaseService system, String password) {
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
        } catch (RuntimeException e) {
            // Restart with an existing data dir and an unchanged password:
            // Neo4j refuses "changing" a password to the same value.
            String msg = String.valueOf(e.getMessage()) + " " + String.valueOf(e.getCause());
            if (!msg.toLowerCase().contains("same")) {
                throw e;
            }
            system.executeTransactionally("ALTER USER neo4j SET PASSWORD CHANGE NOT REQUIRED");
        }
    }
}
