package dev.ferrymta.db.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ferrymta.testing.db.TestDatabase;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;

/**
 * Writes the writer refuses, and what they leave behind: nothing, the version included. Some are
 * refused by validation before the database is touched, others by the database in the middle of
 * the transaction, which the rollback must undo whole.
 */
class SettingsWriterRefusalIT {

    @RegisterExtension
    static final TestDatabase database = new TestDatabase();

    static SettingsDatabase db;
    static SettingsWriter writer;

    @BeforeAll
    static void migrate() {
        db = SettingsDatabase.migrated(database);
        writer = new SettingsWriter(db.dataSource(), SettingsWriterIT.CLOCK);
    }

    @AfterAll
    static void close() {
        db.close();
    }

    // ---- validation

    @Test
    void refusesABadIpAndKeepsTheVersion() {
        var name = db.unique("pool");
        long before = db.version();

        var refused = refusal(() -> writer.createPool(new PoolInput(name, List.of("192.0.2.1", "192.0.2.256"))));

        assertThat(refused.errors()).extracting(FieldError::field).containsExactly("ips[1]");
        assertThat(db.count("SELECT 1 FROM ip_pools WHERE name = ?", name)).isZero();
        assertThat(db.version()).isEqualTo(before);
    }

    @Test
    void refusesANegativeLimitAndKeepsTheVersion() {
        var domain = db.uniqueDomain();
        long before = db.version();

        var refused = refusal(() -> writer.createThrottle(new ThrottleInput(null, domain, -1, null, null, null)));

        assertThat(refused.errors()).containsExactly(new FieldError("maxConnections", "must be at least 1"));
        assertThat(db.count("SELECT 1 FROM throttles WHERE domain = ?", domain)).isZero();
        assertThat(db.version()).isEqualTo(before);
    }

    @Test
    void refusesAKeyThatDoesNotParseAndKeepsTheVersion() {
        var domain = db.uniqueDomain();
        long before = db.version();

        var refused = refusal(() -> writer.createDkimKey(new DkimKeyInput(domain, "s1", TestKeys.pem("PRIVATE KEY", new byte[] {1, 2, 3}))));

        assertThat(refused.errors()).containsExactly(new FieldError("privateKey", "is not an RSA or Ed25519 private key"));
        assertThat(db.count("SELECT 1 FROM dkim_keys WHERE domain = ?", domain)).isZero();
        assertThat(db.version()).isEqualTo(before);
    }

    @Test
    void refusesAnUpdateWithABadFieldAndKeepsTheRow() {
        var domain = db.uniqueDomain();
        var created = writer.createThrottle(new ThrottleInput(null, domain, 3, null, null, null));

        refusal(() -> writer.updateThrottle(created.id(), 1, new ThrottleInput("not-an-ip", domain, 4, null, null, null)));

        assertThat(db.row("SELECT revision, max_connections FROM throttles WHERE id = ?", created.id()))
                .containsEntry("revision", 1).containsEntry("max_connections", 3);
        assertThat(db.version()).isEqualTo(created.version());
    }

    // ---- pools by name

    @Test
    void refusesAnIpForAnUnknownPool() {
        long before = db.version();

        var refused = refusal(() -> writer.addPoolIp("no-such-pool", "192.0.2.1"));

        assertThat(refused.errors()).containsExactly(new FieldError("pool", "no pool named 'no-such-pool'"));
        assertThat(db.version()).isEqualTo(before);
    }

    @Test
    void refusesRemovingFromAnUnknownPool() {
        var refused = refusal(() -> writer.removePoolIp("no-such-pool", "192.0.2.1"));

        assertThat(refused.errors()).containsExactly(new FieldError("pool", "no pool named 'no-such-pool'"));
    }

    @Test
    void refusesAnIpAlreadyInThePoolAndKeepsTheVersion() {
        var name = db.unique("pool");
        var created = writer.createPool(new PoolInput(name, List.of("192.0.2.1")));

        var refused = refusal(() -> writer.addPoolIp(name, "192.0.2.1"));

        assertThat(refused.errors()).containsExactly(new FieldError("ip", "192.0.2.1 is already in pool '%s'".formatted(name)));
        assertThat(db.value("SELECT revision FROM ip_pools WHERE id = ?", created.id())).isEqualTo(1);
        assertThat(db.version()).isEqualTo(created.version());
    }

    @Test
    void refusesRemovingAnIpThePoolDoesNotHave() {
        var name = db.unique("pool");
        var created = writer.createPool(new PoolInput(name, List.of("192.0.2.1")));

        var refused = refusal(() -> writer.removePoolIp(name, "192.0.2.2"));

        assertThat(refused.errors()).containsExactly(new FieldError("ip", "192.0.2.2 is not in pool '%s'".formatted(name)));
        assertThat(db.version()).isEqualTo(created.version());
    }

    // ---- constraints only the database can check

    @Test
    void refusesASecondPoolWithTheSameNameAndKeepsTheVersion() {
        var name = db.unique("pool");
        var first = writer.createPool(new PoolInput(name, List.of("192.0.2.1")));

        var refused = refusal(() -> writer.createPool(new PoolInput(name, List.of("192.0.2.2"))));

        assertThat(refused.errors()).containsExactly(new FieldError("name", "a pool named '%s' already exists".formatted(name)));
        assertThat(db.count("SELECT 1 FROM ip_pools WHERE name = ?", name)).isEqualTo(1);
        assertThat(db.count("SELECT 1 FROM ip_pool_ips WHERE ip = '192.0.2.2'::inet AND pool_id = ?", first.id())).isZero();
        assertThat(db.version()).isEqualTo(first.version());
    }

    @Test
    void refusesRenamingAPoolToATakenName() {
        var taken = db.unique("pool");
        writer.createPool(new PoolInput(taken, null));
        var other = writer.createPool(new PoolInput(db.unique("pool"), null));

        var refused = refusal(() -> writer.updatePool(other.id(), 1, new PoolInput(taken, null)));

        assertThat(refused.errors()).extracting(FieldError::field).containsExactly("name");
        assertThat(db.value("SELECT revision FROM ip_pools WHERE id = ?", other.id())).isEqualTo(1);
        assertThat(db.version()).isEqualTo(other.version());
    }

    @Test
    void refusesASecondThrottleForTheSameScope() {
        var domain = db.uniqueDomain();
        var first = writer.createThrottle(new ThrottleInput("192.0.2.0/24", domain, 3, null, null, null));

        var refused = refusal(() -> writer.createThrottle(new ThrottleInput("192.0.2.0/24", domain.toUpperCase(), 9, null, null, null)));

        assertThat(refused.errors()).extracting(FieldError::field).containsExactly("localIp", "domain");
        assertThat(refused.errors().getFirst().message())
                .isEqualTo("another throttle already applies to local IP 192.0.2.0/24 and domain " + domain);
        assertThat(db.count("SELECT 1 FROM throttles WHERE domain = ?", domain)).isEqualTo(1);
        assertThat(db.version()).isEqualTo(first.version());
    }

    @Test
    void refusesASecondRouteForADomain() {
        var domain = db.uniqueDomain();
        var first = writer.createRoute(new RouteInput(domain, "mx", "mx1.example.net", null));

        var refused = refusal(() -> writer.createRoute(new RouteInput(domain, "smarthost", "relay.example.net", 587)));

        assertThat(refused.errors()).containsExactly(new FieldError("domain", domain + " already has a route"));
        assertThat(db.version()).isEqualTo(first.version());
    }

    @Test
    void refusesASecondEhloNameForALocalIp() {
        var ip = db.uniqueIp();
        var first = writer.createEhloName(new EhloNameInput(ip, "mail1.example.com"));

        var refused = refusal(() -> writer.createEhloName(new EhloNameInput(ip, "mail2.example.com")));

        assertThat(refused.errors()).containsExactly(new FieldError("localIp", ip + " already has an EHLO name"));
        assertThat(db.version()).isEqualTo(first.version());
    }

    @Test
    void refusesTheSameDkimSelectorTwiceForADomain() {
        var domain = db.uniqueDomain();
        var first = writer.createDkimKey(new DkimKeyInput(domain, "s1", TestKeys.ED25519));

        var refused = refusal(() -> writer.createDkimKey(new DkimKeyInput(domain, "s1", TestKeys.RSA_2048)));

        assertThat(refused.errors()).containsExactly(new FieldError("selector", domain + " already has a key with selector s1"));
        assertThat(db.value("SELECT private_key FROM dkim_keys WHERE id = ?", first.id())).isEqualTo(TestKeys.ED25519);
        assertThat(db.version()).isEqualTo(first.version());
    }

    @Test
    void aRefusedWriteNotifiesNobody() throws Exception {
        var name = db.unique("pool");
        writer.createPool(new PoolInput(name, null));
        try (var listener = database.connect()) {
            SettingsWriterIT.listen(listener);

            refusal(() -> writer.createPool(new PoolInput(name, null)));

            assertThat(listener.unwrap(PGConnection.class).getNotifications(500)).isEmpty();
        }
    }

    // ---- revisions

    @Test
    void refusesAnUpdateBasedOnAStaleRevisionNamingTheCurrentOne() {
        var domain = db.uniqueDomain();
        var created = writer.createRoute(new RouteInput(domain, "mx", "mx1.example.net", null));
        var changed = writer.updateRoute(created.id(), 1, new RouteInput(domain, "mx", "mx2.example.net", null));

        var conflict = catchThrowableOfType(SettingsConflictException.class,
                () -> writer.updateRoute(created.id(), 1, new RouteInput(domain, "mx", "mx3.example.net", null)));

        assertThat(conflict).isNotNull();
        assertThat(conflict.currentRevision()).isEqualTo(2);
        assertThat(conflict.table()).isEqualTo(SettingsTable.DOMAIN_ROUTES);
        assertThat(db.row("SELECT revision, host FROM domain_routes WHERE id = ?", created.id()))
                .containsEntry("revision", 2).containsEntry("host", "mx2.example.net");
        assertThat(db.version()).isEqualTo(changed.version());
    }

    @Test
    void refusesADeleteBasedOnAStaleRevision() {
        var name = db.unique("pool");
        var created = writer.createPool(new PoolInput(name, List.of("192.0.2.1")));
        var added = writer.addPoolIp(name, "192.0.2.2");

        var conflict = catchThrowableOfType(SettingsConflictException.class, () -> writer.deletePool(created.id(), 1));

        assertThat(conflict).isNotNull();
        assertThat(conflict.currentRevision()).isEqualTo(2);
        assertThat(db.count("SELECT 1 FROM ip_pool_ips WHERE pool_id = ?", created.id())).isEqualTo(2);
        assertThat(db.version()).isEqualTo(added.version());
    }

    @Test
    void reportsAnUpdateOfAMissingRowAsNotFound() {
        long before = db.version();

        var missing = catchThrowableOfType(SettingsNotFoundException.class,
                () -> writer.updatePause(999_999, 1, new PauseInput(null, null, null, "x")));

        assertThat(missing).isNotNull();
        assertThat(missing.id()).isEqualTo(999_999);
        assertThat(missing.table()).isEqualTo(SettingsTable.PAUSES);
        assertThat(db.version()).isEqualTo(before);
    }

    @Test
    void reportsADeleteOfARowAlreadyDeletedAsNotFound() {
        var created = writer.createEhloName(new EhloNameInput(db.uniqueIp(), "mail.example.com"));
        var deleted = writer.deleteEhloName(created.id(), 1);

        var missing = catchThrowableOfType(SettingsNotFoundException.class, () -> writer.deleteEhloName(created.id(), 1));

        assertThat(missing).isNotNull();
        assertThat(db.version()).isEqualTo(deleted.version());
    }

    static InvalidSettingsException refusal(ThrowingCallable write) {
        return SettingsValidationTest.refusal(write);
    }
}
