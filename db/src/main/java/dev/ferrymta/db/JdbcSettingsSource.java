package dev.ferrymta.db;

import dev.ferrymta.relay.bounce.BounceCategory;
import dev.ferrymta.relay.bounce.ReplyMatch;
import dev.ferrymta.relay.bounce.ResponseRule;
import dev.ferrymta.relay.mail.Domain;
import dev.ferrymta.relay.settings.BackOff;
import dev.ferrymta.relay.settings.DkimKey;
import dev.ferrymta.relay.settings.DomainRoute;
import dev.ferrymta.relay.settings.EhloName;
import dev.ferrymta.relay.settings.IpLiteral;
import dev.ferrymta.relay.settings.IpPool;
import dev.ferrymta.relay.settings.IpRange;
import dev.ferrymta.relay.settings.Pause;
import dev.ferrymta.relay.settings.Provider;
import dev.ferrymta.relay.settings.ResponseRuleSetting;
import dev.ferrymta.relay.settings.RouteKind;
import dev.ferrymta.relay.settings.Settings;
import dev.ferrymta.relay.settings.SettingsSource;
import dev.ferrymta.relay.settings.SettingsUnavailableException;
import dev.ferrymta.relay.settings.Throttle;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the shared settings from PostgreSQL: every table in one read-only, repeatable-read
 * transaction, so the snapshot and its {@code config_version} describe one committed state. The
 * transaction and its SELECTs go as one multi-statement string, so a load is one round trip to the
 * database; a settings change waits for a load on every instance before it is in force.
 *
 * <p>The string is a {@link java.sql.PreparedStatement}: the driver parses it into its statements
 * once per pooled connection, keeps that in its statement cache, and after a few loads
 * ({@code prepareThreshold}) has PostgreSQL keep the SELECTs prepared too. A plain
 * {@code Statement} parsed all of it on every load. In an instance that loads rarely, that ran in
 * the interpreter and, after about a hundred loads, made HotSpot compile the driver's parser:
 * about 0.7 s of compiler time per instance while settings changes were going round the cluster
 * ({@code docs/BENCHMARKS.md}, "a seventh time").
 */
public final class JdbcSettingsSource implements SettingsSource {

    private static final Logger log = LoggerFactory.getLogger(JdbcSettingsSource.class);

    private final DataSource dataSource;
    private final String where;

    /**
     * @param dataSource the pool
     * @param where      the database's address, for error messages
     */
    public JdbcSettingsSource(DataSource dataSource, String where) {
        this.dataSource = dataSource;
        this.where = where;
    }

    /**
     * The statements of one load, in the order their result sets come back: a read-only,
     * repeatable-read transaction around one SELECT per table, sent as one string so that the
     * driver sends them all before one sync: one round trip to PostgreSQL instead of one per
     * table and per transaction setting.
     */
    private static final String LOAD = String.join(";\n", List.of(
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
            "SELECT version FROM config_version",
            // Qualified: the constants are declared below, next to the code that reads their rows.
            JdbcSettingsSource.POOLS, JdbcSettingsSource.THROTTLES, JdbcSettingsSource.ROUTES, JdbcSettingsSource.PAUSES,
            JdbcSettingsSource.EHLO_NAMES, JdbcSettingsSource.DKIM_KEYS, JdbcSettingsSource.RESPONSE_RULES,
            JdbcSettingsSource.BACK_OFFS, JdbcSettingsSource.PROVIDERS,
            "COMMIT"));

    @Override
    public Settings load() {
        try (var connection = dataSource.getConnection(); var statement = connection.prepareStatement(LOAD)) {
            try {
                var results = new Results(statement, statement.execute());
                var settings = new Settings(version(results.next()), pools(results.next()), throttles(results.next()),
                        routes(results.next()), pauses(results.next()), ehloNames(results.next()), dkimKeys(results.next()),
                        responseRules(results.next()), backOffs(results.next()), providers(results.next()));
                results.finish();
                return settings;
            } catch (SQLException | RuntimeException e) {
                // A statement that failed leaves the transaction aborted, and the rest (COMMIT
                // included) unrun: end it, so the pooled connection is clean for the next user.
                rollbackQuietly(connection);
                throw e;
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /**
     * The result sets of one multi-statement execute, in order, skipping the update counts (BEGIN,
     * COMMIT). A result set handed out is read to its end before the next is asked for: moving on
     * closes it.
     */
    private static final class Results {

        private final java.sql.Statement statement;
        private boolean isResultSet;
        private boolean handedOut;

        Results(java.sql.Statement statement, boolean first) {
            this.statement = statement;
            this.isResultSet = first;
        }

        ResultSet next() throws SQLException {
            moveOn();
            while (!isResultSet) {
                if (statement.getUpdateCount() == -1) {
                    throw new SQLException("the settings load returned fewer result sets than it has SELECTs");
                }
                isResultSet = statement.getMoreResults();
            }
            handedOut = true;
            return statement.getResultSet();
        }

        /** Reads past the COMMIT, so its failure (if any) is thrown here. */
        void finish() throws SQLException {
            moveOn();
            while (isResultSet || statement.getUpdateCount() != -1) {
                isResultSet = statement.getMoreResults();
            }
        }

        private void moveOn() throws SQLException {
            if (handedOut) {
                handedOut = false;
                isResultSet = statement.getMoreResults();
            }
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try (var statement = connection.createStatement()) {
            statement.execute("ROLLBACK");
        } catch (SQLException e) {
            log.debug("rolling back a failed settings load failed: {}", e.getMessage());
        }
    }

    @Override
    public long currentVersion() {
        try (var connection = dataSource.getConnection()) {
            return version(connection);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private SettingsUnavailableException unavailable(SQLException e) {
        return new SettingsUnavailableException("PostgreSQL at %s: %s".formatted(where, e.getMessage()), e);
    }

    /** The periodic check's query; prepared like the load, since it too runs on every pooled connection again and again. */
    private static long version(Connection connection) throws SQLException {
        try (var statement = connection.prepareStatement("SELECT version FROM config_version"); var rows = statement.executeQuery()) {
            return version(rows);
        }
    }

    private static long version(ResultSet rows) throws SQLException {
        try (rows) {
            if (!rows.next()) {
                throw new SQLException("config_version has no row: the schema was not migrated");
            }
            return rows.getLong(1);
        }
    }

    private static final String POOLS = """
            SELECT p.id, p.revision, p.name, host(i.ip)
              FROM ip_pools p LEFT JOIN ip_pool_ips i ON i.pool_id = p.id
             ORDER BY p.id, i.position""";

    private static List<IpPool> pools(ResultSet result) throws SQLException {
        record Row(long id, int revision, String name, List<InetAddress> ips) {
        }
        var byId = new LinkedHashMap<Long, Row>();
        try (var rows = result) {
            while (rows.next()) {
                long id = rows.getLong(1);
                var row = byId.get(id);
                if (row == null) {
                    row = new Row(id, rows.getInt(2), rows.getString(3), new ArrayList<>());
                    byId.put(id, row);
                }
                var ip = rows.getString(4);
                if (ip != null) {
                    row.ips().add(IpLiteral.parse(ip));
                }
            }
        }
        return byId.values().stream().map(r -> new IpPool(r.id(), r.revision(), r.name(), r.ips())).toList();
    }

    private static final String THROTTLES = """
            SELECT id, revision, local_ip::text, domain, max_connections, messages_per_minute,
                   messages_per_connection, idle_timeout_seconds, provider
              FROM throttles ORDER BY id""";

    private static List<Throttle> throttles(ResultSet result) throws SQLException {
        var throttles = new ArrayList<Throttle>();
        try (var rows = result) {
            while (rows.next()) {
                throttles.add(new Throttle(rows.getLong(1), rows.getInt(2), range(rows, 3), domain(rows, 4),
                        optionalInt(rows, 5), optionalInt(rows, 6), optionalInt(rows, 7),
                        Optional.ofNullable((Integer) rows.getObject(8)).map(Duration::ofSeconds), Optional.ofNullable(rows.getString(9))));
            }
        }
        return throttles;
    }

    private static final String ROUTES = "SELECT id, revision, domain, kind, host, port FROM domain_routes ORDER BY id";

    private static List<DomainRoute> routes(ResultSet result) throws SQLException {
        var routes = new ArrayList<DomainRoute>();
        try (var rows = result) {
            while (rows.next()) {
                routes.add(new DomainRoute(rows.getLong(1), rows.getInt(2), new Domain(rows.getString(3)),
                        RouteKind.valueOf(rows.getString(4).toUpperCase(Locale.ROOT)), rows.getString(5), rows.getInt(6)));
            }
        }
        return routes;
    }

    private static final String PAUSES = "SELECT id, revision, local_ip::text, domain, until, reason, tag, provider, since FROM pauses ORDER BY id";

    private static List<Pause> pauses(ResultSet result) throws SQLException {
        var pauses = new ArrayList<Pause>();
        try (var rows = result) {
            while (rows.next()) {
                var until = rows.getTimestamp(5);
                pauses.add(new Pause(rows.getLong(1), rows.getInt(2), range(rows, 3), domain(rows, 4),
                        Optional.ofNullable(until).map(java.sql.Timestamp::toInstant), rows.getString(6),
                        Optional.ofNullable(rows.getString(7)), Optional.ofNullable(rows.getString(8)),
                        Optional.ofNullable(rows.getTimestamp(9)).map(java.sql.Timestamp::toInstant)));
            }
        }
        return pauses;
    }

    private static final String EHLO_NAMES = "SELECT id, revision, host(local_ip), name FROM ehlo_names ORDER BY id";

    private static List<EhloName> ehloNames(ResultSet result) throws SQLException {
        var names = new ArrayList<EhloName>();
        try (var rows = result) {
            while (rows.next()) {
                names.add(new EhloName(rows.getLong(1), rows.getInt(2), IpLiteral.parse(rows.getString(3)), rows.getString(4)));
            }
        }
        return names;
    }

    private static final String DKIM_KEYS = "SELECT id, revision, domain, selector, private_key FROM dkim_keys ORDER BY id";

    private static List<DkimKey> dkimKeys(ResultSet result) throws SQLException {
        var keys = new ArrayList<DkimKey>();
        try (var rows = result) {
            while (rows.next()) {
                keys.add(new DkimKey(rows.getLong(1), rows.getInt(2), new Domain(rows.getString(3)), rows.getString(4), rows.getString(5)));
            }
        }
        return keys;
    }

    /**
     * The operator's response rules, in the order they were made. A row the writer would refuse
     * (put there by hand, bypassing it) is left out with a warning rather than failing the load.
     */
    private static final String RESPONSE_RULES = """
            SELECT id, revision, name, code, status, pattern, domain, action, scope, minutes,
                   messages_per_minute, max_connections, category, note, provider
              FROM response_rules ORDER BY id""";

    private List<ResponseRuleSetting> responseRules(ResultSet result) throws SQLException {
        var rules = new ArrayList<ResponseRuleSetting>();
        try (var rows = result) {
            while (rows.next()) {
                try {
                    var minutes = (Integer) rows.getObject(10);
                    var category = Optional.ofNullable(rows.getString(13));
                    var rule = new ResponseRule(rows.getString(3), ReplyMatch.of(rows.getString(4), rows.getString(5), rows.getString(6)),
                            domain(rows, 7), ResponseRule.Action.parse(rows.getString(8)), ResponseRule.Scope.parse(rows.getString(9)),
                            Duration.ofMinutes(minutes == null ? 0 : minutes), optionalInt(rows, 11), optionalInt(rows, 12),
                            category.map(name -> BounceCategory.ofJson(name)
                                    .orElseThrow(() -> new IllegalArgumentException("category: '" + name + "' is no bounce category"))),
                            Optional.ofNullable(rows.getString(15)));
                    rules.add(new ResponseRuleSetting(rows.getLong(1), rows.getInt(2), rule, rows.getString(14)));
                } catch (IllegalArgumentException e) {
                    log.warn("response rule {} in {} is left out: {}", rows.getLong(1), where, e.getMessage());
                }
            }
        }
        return rules;
    }

    private static final String BACK_OFFS = """
            SELECT id, revision, local_ip::text, domain, until, messages_per_minute, max_connections, reason, provider, since
              FROM back_offs ORDER BY id""";

    private static List<BackOff> backOffs(ResultSet result) throws SQLException {
        var backOffs = new ArrayList<BackOff>();
        try (var rows = result) {
            while (rows.next()) {
                backOffs.add(new BackOff(rows.getLong(1), rows.getInt(2), IpRange.parse(rows.getString(3)), domain(rows, 4),
                        rows.getTimestamp(5).toInstant(), optionalInt(rows, 6), optionalInt(rows, 7), rows.getString(8),
                        Optional.ofNullable(rows.getString(9)), Optional.ofNullable(rows.getTimestamp(10)).map(java.sql.Timestamp::toInstant)));
            }
        }
        return backOffs;
    }

    /** The shared settings' provider groups; a row the writer would refuse is left out with a warning. */
    private static final String PROVIDERS = "SELECT id, revision, name, mx_patterns FROM providers ORDER BY id";

    private List<Provider> providers(ResultSet result) throws SQLException {
        var providers = new ArrayList<Provider>();
        try (var rows = result) {
            while (rows.next()) {
                try {
                    providers.add(new Provider(rows.getLong(1), rows.getInt(2), rows.getString(3),
                            List.of(rows.getString(4).strip().split("\\s+"))));
                } catch (IllegalArgumentException e) {
                    log.warn("provider {} in {} is left out: {}", rows.getLong(1), where, e.getMessage());
                }
            }
        }
        return providers;
    }

    private static Optional<IpRange> range(ResultSet rows, int column) throws SQLException {
        return Optional.ofNullable(rows.getString(column)).map(IpRange::parse);
    }

    private static Optional<Domain> domain(ResultSet rows, int column) throws SQLException {
        return Optional.ofNullable(rows.getString(column)).map(Domain::new);
    }

    private static OptionalInt optionalInt(ResultSet rows, int column) throws SQLException {
        var value = (Integer) rows.getObject(column);
        return value == null ? OptionalInt.empty() : OptionalInt.of(value);
    }
}
