package dev.ferrymta.db.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.ferrymta.testing.db.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** Successful writes to every settings table, read back with plain SQL. Refusals: SettingsWriterRefusalIT. */
class SettingsWriterIT {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);

    @RegisterExtension
    static final TestDatabase database = new TestDatabase();

    static SettingsDatabase db;
    static SettingsWriter writer;

    @BeforeAll
    static void migrate() {
        db = SettingsDatabase.migrated(database);
        writer = new SettingsWriter(db.dataSource(), CLOCK);
    }

    @AfterAll
    static void close() {
        db.close();
    }

    // ---- pools

    @Test
    void createsAPoolWithItsIpsInTheGivenOrder() {
        var name = db.unique("pool");

        var created = writer.createPool(new PoolInput(name, List.of("192.0.2.3", "2001:db8::1", "192.0.2.1")));

        assertThat(created.revision()).isEqualTo(1);
        assertThat(db.row("SELECT name, revision FROM ip_pools WHERE id = ?", created.id())).containsEntry("name", name).containsEntry("revision", 1);
        assertThat(poolIps(created.id())).containsExactly("192.0.2.3", "2001:db8::1", "192.0.2.1");
    }

    @Test
    void updatesAPoolsNameAndReplacesItsIps() {
        var created = writer.createPool(new PoolInput(db.unique("pool"), List.of("192.0.2.1", "192.0.2.2")));
        var renamed = db.unique("pool");

        var updated = writer.updatePool(created.id(), 1, new PoolInput(renamed, List.of("192.0.2.9", "192.0.2.1")));

        assertThat(updated.revision()).isEqualTo(2);
        assertThat(db.row("SELECT name, revision FROM ip_pools WHERE id = ?", created.id()))
                .containsEntry("name", renamed).containsEntry("revision", 2);
        assertThat(poolIps(created.id())).containsExactly("192.0.2.9", "192.0.2.1");
    }

    @Test
    void deletesAPoolWithItsIps() {
        var created = writer.createPool(new PoolInput(db.unique("pool"), List.of("192.0.2.1")));

        writer.deletePool(created.id(), 1);

        assertThat(db.count("SELECT 1 FROM ip_pools WHERE id = ?", created.id())).isZero();
        assertThat(db.count("SELECT 1 FROM ip_pool_ips WHERE pool_id = ?", created.id())).isZero();
    }

    @Test
    void addsAnIpAtTheEndOfAPoolAndBumpsItsRevision() {
        var name = db.unique("pool");
        var created = writer.createPool(new PoolInput(name, List.of("192.0.2.5", "192.0.2.1")));

        var added = writer.addPoolIp(name, "192.0.2.3");

        assertThat(added.id()).isEqualTo(created.id());
        assertThat(added.revision()).isEqualTo(2);
        assertThat(poolIps(created.id())).containsExactly("192.0.2.5", "192.0.2.1", "192.0.2.3");
    }

    @Test
    void addsTheFirstIpToAnEmptyPool() {
        var name = db.unique("pool");
        var created = writer.createPool(new PoolInput(name, null));

        writer.addPoolIp(name, "2001:db8::7");

        assertThat(poolIps(created.id())).containsExactly("2001:db8::7");
    }

    @Test
    void removesAnIpFromAPoolKeepingTheOrderOfTheRest() {
        var name = db.unique("pool");
        var created = writer.createPool(new PoolInput(name, List.of("192.0.2.1", "192.0.2.2", "192.0.2.3")));

        var removed = writer.removePoolIp(name, "192.0.2.2");

        assertThat(removed.revision()).isEqualTo(2);
        assertThat(poolIps(created.id())).containsExactly("192.0.2.1", "192.0.2.3");
    }

    // ---- throttles

    @Test
    void createsAThrottleWithEmptyFieldsAsNull() {
        var domain = db.uniqueDomain();

        var created = writer.createThrottle(new ThrottleInput("192.0.2.0/24", domain.toUpperCase(), 3, null, 50, null));

        assertThat(db.row("""
                SELECT revision, local_ip::text AS local_ip, domain::text AS domain, max_connections, messages_per_minute,
                       messages_per_connection, idle_timeout_seconds
                FROM throttles WHERE id = ?""", created.id()))
                .containsEntry("revision", 1).containsEntry("local_ip", "192.0.2.0/24").containsEntry("domain", domain)
                .containsEntry("max_connections", 3).containsEntry("messages_per_minute", null)
                .containsEntry("messages_per_connection", 50).containsEntry("idle_timeout_seconds", null);
    }

    @Test
    void updatesAThrottleAndBumpsItsRevision() {
        var created = writer.createThrottle(new ThrottleInput(null, db.uniqueDomain(), 3, null, null, null));
        var domain = db.uniqueDomain();

        var updated = writer.updateThrottle(created.id(), 1, new ThrottleInput("2001:db8::/32", domain, null, 600, null, 30));

        assertThat(updated.revision()).isEqualTo(2);
        assertThat(db.row("""
                SELECT revision, local_ip::text AS local_ip, domain::text AS domain, max_connections, messages_per_minute, idle_timeout_seconds
                FROM throttles WHERE id = ?""", created.id()))
                .containsEntry("revision", 2).containsEntry("local_ip", "2001:db8::/32").containsEntry("domain", domain)
                .containsEntry("max_connections", null).containsEntry("messages_per_minute", 600).containsEntry("idle_timeout_seconds", 30);
    }

    @Test
    void deletesAThrottle() {
        var created = writer.createThrottle(new ThrottleInput(null, db.uniqueDomain(), 3, null, null, null));

        writer.deleteThrottle(created.id(), 1);

        assertThat(db.count("SELECT 1 FROM throttles WHERE id = ?", created.id())).isZero();
    }

    // ---- routes

    @Test
    void createsARouteWithPort25ByDefault() {
        var domain = db.uniqueDomain();

        var created = writer.createRoute(new RouteInput(domain, "MX", "MX1.Example.net", null));

        assertThat(db.row("SELECT revision, domain::text AS domain, kind, host, port FROM domain_routes WHERE id = ?", created.id()))
                .containsEntry("revision", 1).containsEntry("domain", domain).containsEntry("kind", "mx")
                .containsEntry("host", "mx1.example.net").containsEntry("port", 25);
    }

    @Test
    void updatesARouteAndBumpsItsRevision() {
        var domain = db.uniqueDomain();
        var created = writer.createRoute(new RouteInput(domain, "mx", "mx1.example.net", null));

        var updated = writer.updateRoute(created.id(), 1, new RouteInput(domain, "smarthost", "192.0.2.25", 2525));

        assertThat(updated.revision()).isEqualTo(2);
        assertThat(db.row("SELECT revision, kind, host, port FROM domain_routes WHERE id = ?", created.id()))
                .containsEntry("revision", 2).containsEntry("kind", "smarthost").containsEntry("host", "192.0.2.25").containsEntry("port", 2525);
    }

    @Test
    void deletesARoute() {
        var created = writer.createRoute(new RouteInput(db.uniqueDomain(), "mx", "mx1.example.net", null));

        writer.deleteRoute(created.id(), 1);

        assertThat(db.count("SELECT 1 FROM domain_routes WHERE id = ?", created.id())).isZero();
    }

    // ---- pauses

    @Test
    void createsAPauseUntilATime() {
        var domain = db.uniqueDomain();

        var created = writer.createPause(new PauseInput("192.0.2.7", domain, "2030-02-01T12:00:00Z", "blocklisted at example"));

        assertThat(db.row("SELECT revision, local_ip::text AS local_ip, domain::text AS domain, reason FROM pauses WHERE id = ?", created.id()))
                .containsEntry("revision", 1).containsEntry("local_ip", "192.0.2.7/32").containsEntry("domain", domain)
                .containsEntry("reason", "blocklisted at example");
        assertThat(db.value("SELECT until = TIMESTAMPTZ '2030-02-01 12:00:00+00' FROM pauses WHERE id = ?", created.id())).isEqualTo(true);
    }

    @Test
    void updatesAPauseToHoldUntilRemoved() {
        var created = writer.createPause(new PauseInput(null, db.uniqueDomain(), "2030-02-01T12:00:00Z", null));

        var updated = writer.updatePause(created.id(), 1, new PauseInput("192.0.2.0/25", null, null, "maintenance"));

        assertThat(updated.revision()).isEqualTo(2);
        assertThat(db.row("""
                SELECT revision, local_ip::text AS local_ip, domain::text AS domain, until, reason
                FROM pauses WHERE id = ?""", created.id()))
                .containsEntry("revision", 2).containsEntry("local_ip", "192.0.2.0/25").containsEntry("domain", null)
                .containsEntry("until", null).containsEntry("reason", "maintenance");
    }

    @Test
    void deletesAPause() {
        var created = writer.createPause(new PauseInput(null, db.uniqueDomain(), null, null));

        writer.deletePause(created.id(), 1);

        assertThat(db.count("SELECT 1 FROM pauses WHERE id = ?", created.id())).isZero();
    }

    // ---- EHLO names

    @Test
    void createsAnEhloName() {
        var ip = db.uniqueIp();

        var created = writer.createEhloName(new EhloNameInput(ip, "Mail1.Example.com"));

        assertThat(db.row("SELECT revision, host(local_ip) AS local_ip, name::text AS name FROM ehlo_names WHERE id = ?", created.id()))
                .containsEntry("revision", 1).containsEntry("local_ip", ip).containsEntry("name", "mail1.example.com");
    }

    @Test
    void updatesAnEhloNameAndBumpsItsRevision() {
        var ip = db.uniqueIp();
        var created = writer.createEhloName(new EhloNameInput(ip, "mail1.example.com"));

        var updated = writer.updateEhloName(created.id(), 1, new EhloNameInput(ip, "mail2.example.com"));

        assertThat(updated.revision()).isEqualTo(2);
        assertThat(db.row("SELECT revision, name::text AS name FROM ehlo_names WHERE id = ?", created.id()))
                .containsEntry("revision", 2).containsEntry("name", "mail2.example.com");
    }

    @Test
    void deletesAnEhloName() {
        var created = writer.createEhloName(new EhloNameInput(db.uniqueIp(), "mail1.example.com"));

        writer.deleteEhloName(created.id(), 1);

        assertThat(db.count("SELECT 1 FROM ehlo_names WHERE id = ?", created.id())).isZero();
    }

    // ---- DKIM keys

    @Test
    void createsADkimKeyInCanonicalPem() {
        var domain = db.uniqueDomain();

        var created = writer.createDkimKey(new DkimKeyInput(domain, "s2030", TestKeys.RSA_2048.replace("\n", "\r\n")));

        assertThat(db.row("SELECT revision, domain::text AS domain, selector, private_key FROM dkim_keys WHERE id = ?", created.id()))
                .containsEntry("revision", 1).containsEntry("domain", domain).containsEntry("selector", "s2030")
                .containsEntry("private_key", TestKeys.RSA_2048);
    }

    @Test
    void updatesADkimKeyAndBumpsItsRevision() {
        var domain = db.uniqueDomain();
        var created = writer.createDkimKey(new DkimKeyInput(domain, "s2030", TestKeys.RSA_2048));

        var updated = writer.updateDkimKey(created.id(), 1, new DkimKeyInput(domain, "ed2030", TestKeys.ED25519));

        assertThat(updated.revision()).isEqualTo(2);
        assertThat(db.row("SELECT revision, selector, private_key FROM dkim_keys WHERE id = ?", created.id()))
                .containsEntry("revision", 2).containsEntry("selector", "ed2030").containsEntry("private_key", TestKeys.ED25519);
    }

    @Test
    void deletesADkimKey() {
        var created = writer.createDkimKey(new DkimKeyInput(db.uniqueDomain(), "s2030", TestKeys.ED25519));

        writer.deleteDkimKey(created.id(), 1);

        assertThat(db.count("SELECT 1 FROM dkim_keys WHERE id = ?", created.id())).isZero();
    }

    // ---- the version

    @Test
    void everyWriteBumpsTheVersionByExactlyOne() {
        var pool = db.unique("pool");
        var domain = db.uniqueDomain();
        var ip = db.uniqueIp();
        List<Supplier<WriteResult>> writes = List.of(
                () -> writer.createPool(new PoolInput(pool, List.of("192.0.2.1"))),
                () -> writer.addPoolIp(pool, "192.0.2.2"),
                () -> writer.removePoolIp(pool, "192.0.2.1"),
                () -> writer.createThrottle(new ThrottleInput(null, domain, 2, null, null, null)),
                () -> writer.createRoute(new RouteInput(domain, "mx", "mx.example.net", null)),
                () -> writer.createPause(new PauseInput(null, domain, null, null)),
                () -> writer.createEhloName(new EhloNameInput(ip, "mail.example.com")),
                () -> writer.createDkimKey(new DkimKeyInput(domain, "s1", TestKeys.ED25519)));

        for (var write : writes) {
            long before = db.version();

            var result = write.get();

            assertThat(result.version()).isEqualTo(before + 1);
            assertThat(db.version()).isEqualTo(before + 1);
        }
    }

    @Test
    void aDeleteBumpsTheVersionByExactlyOne() {
        var created = writer.createThrottle(new ThrottleInput(null, db.uniqueDomain(), 2, null, null, null));

        var deleted = writer.deleteThrottle(created.id(), 1);

        assertThat(deleted.version()).isEqualTo(created.version() + 1).isEqualTo(db.version());
    }

    @Test
    void notifiesTheNewVersionOnTheSettingsChannel() throws Exception {
        try (var listener = database.connect()) {
            listen(listener);

            var result = writer.createThrottle(new ThrottleInput(null, db.uniqueDomain(), 2, null, null, null));

            var notifications = listener.unwrap(PGConnection.class).getNotifications(10_000);
            assertThat(notifications).extracting(PGNotification::getName, PGNotification::getParameter)
                    .containsExactly(tuple("ferry_settings", Long.toString(result.version())));
        }
    }

    @Test
    void theChangeIsReadableWhenItsNotificationArrives() throws Exception {
        try (var listener = database.connect()) {
            listen(listener);

            var result = writer.createRoute(new RouteInput(db.uniqueDomain(), "mx", "mx.example.net", null));

            assertThat(listener.unwrap(PGConnection.class).getNotifications(10_000)).isNotEmpty();
            try (var statement = listener.prepareStatement(
                    "SELECT (SELECT version FROM config_version), (SELECT count(*) FROM domain_routes WHERE id = ?)")) {
                statement.setLong(1, result.id());
                try (var row = statement.executeQuery()) {
                    row.next();
                    assertThat(row.getLong(1)).isGreaterThanOrEqualTo(result.version());
                    assertThat(row.getLong(2)).isEqualTo(1);
                }
            }
        }
    }

    static void listen(Connection connection) throws SQLException {
        try (var statement = connection.createStatement()) {
            statement.execute("LISTEN " + SettingsWriter.NOTIFY_CHANNEL);
        }
    }

    private static List<String> poolIps(long poolId) {
        return db.rows("SELECT host(ip) AS ip FROM ip_pool_ips WHERE pool_id = ? ORDER BY position", poolId).stream()
                .map(row -> (String) row.get("ip"))
                .toList();
    }
}
