package dev.ferrymta.db.write;

import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the automatic actions of response rules into the shared settings: a suspension as a pause,
 * a back-off as a back-off, one row per scope (a local IP, and a domain, a provider or any domain) whose reason
 * starts with {@value #REASON_PREFIX}. Many instances hitting the same reply at once give one row,
 * extended rather than duplicated: the writes of one scope are serialized by a transaction-level
 * advisory lock, an automatic row of the scope that exists is extended to the later end, and one
 * that already lasts as long, or nearly ({@link #MIN_EXTENSION}), is left alone (no new version). The operator's own rows are never
 * touched; the operator lifts an automatic one early by deleting it.
 */
public final class AutomaticActionWriter {

    /** How the reason of a row a response rule made starts. */
    public static final String REASON_PREFIX = "automatic:";

    private static final Logger log = LoggerFactory.getLogger(AutomaticActionWriter.class);

    /**
     * An automatic action of the scope that would end less than this much later is left as it is:
     * replies that keep coming while it holds (messages in flight on several instances) do not each
     * make a new settings version for a few milliseconds more.
     */
    static final java.time.Duration MIN_EXTENSION = java.time.Duration.ofSeconds(10);

    private final DataSource dataSource;

    public AutomaticActionWriter(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * Pauses sending from {@code ip} (to {@code domain}, or to any domain) until {@code until}.
     *
     * @param reason starts with {@value #REASON_PREFIX}; at most 500 characters
     * @return the write; empty when an automatic pause of the scope already lasts that long, or less than 10 s less
     * @throws SettingsWriteFailedException when the database refuses or cannot be reached
     */
    public Optional<WriteResult> pause(InetAddress ip, Optional<String> domain, Instant until, String reason) {
        return pause(ip, domain, Optional.empty(), until, reason);
    }

    /** The same, for every domain of a provider group when {@code provider} is given (and {@code domain} is not). */
    public Optional<WriteResult> pause(InetAddress ip, Optional<String> domain, Optional<String> provider, Instant until, String reason) {
        return write(Kind.PAUSE, ip, domain, provider, until, OptionalInt.empty(), OptionalInt.empty(), reason);
    }

    /**
     * Slows sending from {@code ip} (to {@code domain}, or to any domain) until {@code until}: at
     * most {@code messagesPerMinute} messages a minute and {@code maxConnections} connections, each
     * where given (one at least). Extending an automatic back-off of the scope takes the new caps.
     *
     * @param reason starts with {@value #REASON_PREFIX}; at most 500 characters
     * @return the write; empty when an automatic back-off of the scope already lasts that long, or less than 10 s less
     * @throws SettingsWriteFailedException when the database refuses or cannot be reached
     */
    public Optional<WriteResult> backOff(InetAddress ip, Optional<String> domain, Instant until, OptionalInt messagesPerMinute,
            OptionalInt maxConnections, String reason) {
        return backOff(ip, domain, Optional.empty(), until, messagesPerMinute, maxConnections, reason);
    }

    /** The same, for every domain of a provider group when {@code provider} is given (and {@code domain} is not). */
    public Optional<WriteResult> backOff(InetAddress ip, Optional<String> domain, Optional<String> provider, Instant until,
            OptionalInt messagesPerMinute, OptionalInt maxConnections, String reason) {
        if (messagesPerMinute.isEmpty() && maxConnections.isEmpty()) {
            throw new IllegalArgumentException("a back-off caps messages per minute, connections or both");
        }
        return write(Kind.BACK_OFF, ip, domain, provider, until, messagesPerMinute, maxConnections, reason);
    }

    private enum Kind {
        PAUSE("pauses", "pause", " AND tag IS NULL"),
        BACK_OFF("back_offs", "back-off", "");

        final String table;
        final String word;
        final String extraCondition;

        Kind(String table, String word, String extraCondition) {
            this.table = table;
            this.word = word;
            this.extraCondition = extraCondition;
        }
    }

    private Optional<WriteResult> write(Kind kind, InetAddress ip, Optional<String> domain, Optional<String> provider, Instant until,
            OptionalInt perMinute, OptionalInt connections, String reason) {
        if (domain.isPresent() && provider.isPresent()) {
            throw new IllegalArgumentException("an automatic " + kind.word + " holds a domain or a provider, not both");
        }
        if (!reason.startsWith(REASON_PREFIX) || reason.length() > 500) {
            throw new IllegalArgumentException("an automatic " + kind.word + "'s reason starts with '" + REASON_PREFIX
                    + "' and has at most 500 characters");
        }
        var network = ip.getHostAddress() + (ip.getAddress().length == 4 ? "/32" : "/128");
        try (var connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                try (var lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                    lock.setString(1, "ferry automatic " + kind.word + " " + network + " " + domain.orElse("*") + " " + provider.orElse("*"));
                    lock.execute();
                }
                var written = extendOrInsert(connection, kind, network, domain, provider, until, perMinute, connections, reason);
                if (written.isEmpty()) {
                    connection.rollback();
                    return Optional.empty();
                }
                long version = VersionBump.bump(connection);
                connection.commit();
                log.info("settings: {} automatic {} {} ({} to {} until {}), config version {}", written.get().action(), kind.word,
                        written.get().id(), network, domain.or(() -> provider.map(p -> "provider " + p)).orElse("any domain"), until, version);
                return Optional.of(new WriteResult(written.get().id(), written.get().revision(), version));
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new SettingsWriteFailedException("the automatic " + kind.word + " of " + network + " could not be written: "
                    + e.getMessage(), e);
        }
    }

    private record Written(long id, int revision, String action) {
    }

    private static Optional<Written> extendOrInsert(Connection connection, Kind kind, String network, Optional<String> domain,
            Optional<String> provider, Instant until, OptionalInt perMinute, OptionalInt connections, String reason) throws SQLException {
        long id = 0;
        Instant existing = null;
        try (var find = connection.prepareStatement("SELECT id, until FROM " + kind.table + " WHERE local_ip = ?::cidr"
                + " AND domain IS NOT DISTINCT FROM ?::dns_name AND provider IS NOT DISTINCT FROM ?" + kind.extraCondition
                + " AND reason LIKE 'automatic:%' ORDER BY until DESC NULLS FIRST LIMIT 1")) {
            find.setString(1, network);
            find.setString(2, domain.orElse(null));
            find.setString(3, provider.orElse(null));
            try (var rows = find.executeQuery()) {
                if (rows.next()) {
                    id = rows.getLong(1);
                    var end = rows.getTimestamp(2);
                    existing = end == null ? Instant.MAX : end.toInstant();
                }
            }
        }
        if (existing != null && existing.isAfter(until.minus(MIN_EXTENSION))) {
            return Optional.empty();
        }
        boolean backOff = kind == Kind.BACK_OFF;
        if (existing != null) {
            var sql = "UPDATE " + kind.table + " SET until = ?, reason = ?, revision = revision + 1"
                    + (backOff ? ", messages_per_minute = ?, max_connections = ?" : "") + " WHERE id = ? RETURNING revision";
            try (var update = connection.prepareStatement(sql)) {
                update.setTimestamp(1, Timestamp.from(until));
                update.setString(2, reason);
                int next = 3;
                if (backOff) {
                    setInt(update, next++, perMinute);
                    setInt(update, next++, connections);
                }
                update.setLong(next, id);
                try (var rows = update.executeQuery()) {
                    rows.next();
                    return Optional.of(new Written(id, rows.getInt(1), "extended"));
                }
            }
        }
        var sql = "INSERT INTO " + kind.table + " (local_ip, domain, provider, until, reason"
                + (backOff ? ", messages_per_minute, max_connections" : "") + ") VALUES (?::cidr, ?::dns_name, ?, ?, ?"
                + (backOff ? ", ?, ?" : "") + ") RETURNING id, revision";
        try (var insert = connection.prepareStatement(sql)) {
            insert.setString(1, network);
            insert.setString(2, domain.orElse(null));
            insert.setString(3, provider.orElse(null));
            insert.setTimestamp(4, Timestamp.from(until));
            insert.setString(5, reason);
            if (backOff) {
                setInt(insert, 6, perMinute);
                setInt(insert, 7, connections);
            }
            try (var rows = insert.executeQuery()) {
                rows.next();
                return Optional.of(new Written(rows.getLong(1), rows.getInt(2), "created"));
            }
        }
    }

    private static void setInt(PreparedStatement statement, int index, OptionalInt value) throws SQLException {
        if (value.isPresent()) {
            statement.setInt(index, value.getAsInt());
        } else {
            statement.setNull(index, Types.INTEGER);
        }
    }
}
