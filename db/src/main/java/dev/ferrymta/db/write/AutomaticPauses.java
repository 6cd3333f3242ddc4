package dev.ferrymta.db.write;

import java.net.InetAddress;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the automatic actions of response rules as pauses of the shared settings: one pause per
 * scope (a local IP, and a domain or any domain), whose reason starts with {@code automatic:}.
 * Many instances hitting the same reply at once give one pause, extended rather than duplicated:
 * the writes of one scope are serialized by a transaction-level advisory lock, an automatic pause
 * of the scope that exists is extended to the later end, and one that already lasts as long is
 * left alone (no new version). The operator lifts one early by deleting the pause.
 */
public final class AutomaticPauses {

    /** How the reason of a pause a response rule made starts. */
    public static final String REASON_PREFIX = "automatic:";

    private static final Logger log = LoggerFactory.getLogger(AutomaticPauses.class);

    private final DataSource dataSource;

    public AutomaticPauses(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * Pauses sending from {@code ip} (to {@code domain}, or to any domain) until {@code until}.
     *
     * @param reason starts with {@value #REASON_PREFIX}; at most 500 characters
     * @return the write; empty when an automatic pause of the scope already lasts that long
     * @throws SettingsWriteFailedException when the database refuses or cannot be reached
     */
    public Optional<WriteResult> pause(InetAddress ip, Optional<String> domain, Instant until, String reason) {
        if (!reason.startsWith(REASON_PREFIX) || reason.length() > 500) {
            throw new IllegalArgumentException("an automatic pause's reason starts with '" + REASON_PREFIX + "' and has at most 500 characters");
        }
        var network = ip.getHostAddress() + (ip.getAddress().length == 4 ? "/32" : "/128");
        try (var connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                try (var lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                    lock.setString(1, "ferry automatic pause " + network + " " + domain.orElse("*"));
                    lock.execute();
                }
                long id = 0;
                int revision = 0;
                Instant existing = null;
                try (var find = connection.prepareStatement("SELECT id, revision, until FROM pauses WHERE local_ip = ?::cidr"
                        + " AND domain IS NOT DISTINCT FROM ?::dns_name AND tag IS NULL AND reason LIKE 'automatic:%' ORDER BY until DESC NULLS FIRST LIMIT 1")) {
                    find.setString(1, network);
                    find.setString(2, domain.orElse(null));
                    try (var rows = find.executeQuery()) {
                        if (rows.next()) {
                            id = rows.getLong(1);
                            revision = rows.getInt(2);
                            var end = rows.getTimestamp(3);
                            existing = end == null ? Instant.MAX : end.toInstant();
                        }
                    }
                }
                if (existing != null && !existing.isBefore(until)) {
                    connection.rollback();
                    return Optional.empty();
                }
                String action;
                if (existing != null) {
                    try (var update = connection.prepareStatement(
                            "UPDATE pauses SET until = ?, reason = ?, revision = revision + 1 WHERE id = ? RETURNING revision")) {
                        update.setTimestamp(1, Timestamp.from(until));
                        update.setString(2, reason);
                        update.setLong(3, id);
                        try (var rows = update.executeQuery()) {
                            rows.next();
                            revision = rows.getInt(1);
                        }
                    }
                    action = "extended";
                } else {
                    try (var insert = connection.prepareStatement("INSERT INTO pauses (local_ip, domain, until, reason)"
                            + " VALUES (?::cidr, ?::dns_name, ?, ?) RETURNING id, revision")) {
                        insert.setString(1, network);
                        insert.setString(2, domain.orElse(null));
                        insert.setTimestamp(3, Timestamp.from(until));
                        insert.setString(4, reason);
                        try (var rows = insert.executeQuery()) {
                            rows.next();
                            id = rows.getLong(1);
                            revision = rows.getInt(2);
                        }
                    }
                    action = "created";
                }
                long version = VersionBump.bump(connection);
                connection.commit();
                log.info("settings: {} automatic pause {} ({} to {} until {}), config version {}", action, id, network,
                        domain.orElse("any domain"), until, version);
                return Optional.of(new WriteResult(id, revision, version));
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new SettingsWriteFailedException("the automatic pause of " + network + " could not be written: " + e.getMessage(), e);
        }
    }
}
