package dev.ferrymta.db;

import dev.ferrymta.db.write.SettingsWriter;
import dev.ferrymta.relay.lifecycle.Backoff;
import dev.ferrymta.relay.lifecycle.ConnectLoop;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.LongConsumer;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens for the {@code NOTIFY} a settings write sends, on a connection of its own outside the
 * pool, and reports each new version. Waits in short, finite steps and pings the connection when
 * idle, so a dead connection is found; reconnects with growing backoff; after every (re)connect
 * it reports "connected", since notifications sent while it was away are lost.
 */
public final class SettingsChangeListener implements AutoCloseable {

    /** The channel settings writes notify on, with the new version as payload. */
    public static final String CHANNEL = SettingsWriter.NOTIFY_CHANNEL;

    private static final Logger log = LoggerFactory.getLogger(SettingsChangeListener.class);
    private static final int WAIT_MILLIS = 500;
    private static final Duration PING_WHEN_IDLE = Duration.ofSeconds(15);

    /** Opens a connection outside the pool. */
    @FunctionalInterface
    public interface ConnectionOpener {
        Connection open() throws SQLException;
    }

    private final ConnectionOpener opener;
    private final LongConsumer onVersion;
    private final Runnable onConnected;
    private volatile boolean running = true;
    private volatile Connection connection;
    private Thread thread;

    /**
     * @param opener      opens the dedicated connection
     * @param onVersion   called with every version notified
     * @param onConnected called after each successful (re)connect, to catch up on what was missed
     */
    public SettingsChangeListener(ConnectionOpener opener, LongConsumer onVersion, Runnable onConnected) {
        this.opener = opener;
        this.onVersion = onVersion;
        this.onConnected = onConnected;
    }

    /** Starts listening in the background. */
    public void start() {
        thread = Thread.ofVirtual().name("settings-listener").start(this::run);
    }

    @Override
    public void close() {
        running = false;
        var current = connection;
        if (current != null) {
            try {
                current.close();
            } catch (SQLException e) {
                log.debug("closing the listener connection failed: {}", e.getMessage());
            }
        }
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        var backoff = Backoff.standard();
        boolean wasConnected = false;
        while (running) {
            try (var opened = opener.open()) {
                connection = opened;
                try (var statement = opened.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
                backoff.reset();
                if (wasConnected) {
                    log.info("listening for settings changes again");
                }
                wasConnected = true;
                onConnected.run();
                listen(opened.unwrap(PGConnection.class), opened);
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                // DatabasePool logs the outage once; here it would only repeat it at every retry.
                log.debug("settings listener: {}", ConnectLoop.reason(e));
                try {
                    Thread.sleep(backoff.nextDelay());
                } catch (InterruptedException interrupted) {
                    return;
                }
            } finally {
                connection = null;
            }
        }
    }

    private void listen(PGConnection listener, Connection opened) throws SQLException {
        long idleSince = System.nanoTime();
        while (running) {
            var notifications = listener.getNotifications(WAIT_MILLIS);
            if (notifications != null && notifications.length > 0) {
                idleSince = System.nanoTime();
                long newest = -1;
                for (var notification : notifications) {
                    newest = Math.max(newest, parse(notification.getParameter()));
                }
                if (newest >= 0) {
                    onVersion.accept(newest);
                }
            } else if (System.nanoTime() - idleSince > PING_WHEN_IDLE.toNanos()) {
                try (var statement = opened.createStatement()) {
                    statement.execute("SELECT 1");
                }
                idleSince = System.nanoTime();
            }
        }
    }

    /** A payload that is not a version (someone ran NOTIFY by hand) is ignored, not fatal. */
    private static long parse(String payload) {
        try {
            return Long.parseLong(payload.strip());
        } catch (NumberFormatException e) {
            log.debug("ignoring a notification on {} that is not a version: {}", CHANNEL, payload.length() > 40 ? payload.substring(0, 40) : payload);
            return -1;
        }
    }
}
