package dev.ferrymta.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferrymta.testing.broker.TestBroker;
import dev.ferrymta.testing.db.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An instance refuses a database migrated by a newer Ferry, rather than write into tables it does not know. */
class DatabaseTooNewIT {

    @RegisterExtension
    static final TestDatabase database = new TestDatabase();

    @RegisterExtension
    final TestBroker broker = new TestBroker();

    @Test
    void refusesToStartOnADatabaseNewerThanItself() throws Exception {
        var list = new java.util.ArrayList<>(java.util.List.of("--config", "config.sample",
                "--database-address=" + database.address(), "--www-port=" + FerryProcess.freePort()));
        list.addAll(FerryProcess.queueArgs(broker, "too-new-it"));
        var args = list.toArray(String[]::new);
        try (var first = FerryProcess.start(args)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> first.outputText().contains("ready:"));
            first.terminate();
            assertThat(first.awaitExit(Duration.ofSeconds(15))).isZero();
        }
        try (var connection = database.connect(); var statement = connection.createStatement()) {
            statement.execute("""
                    INSERT INTO ferry_schema_history (installed_rank, version, description, type, script, checksum,
                                                      installed_by, execution_time, success)
                    VALUES (99, '99', 'from a newer ferry', 'SQL', 'V99__from_a_newer_ferry.sql', 0, 'ferry', 1, true)""");
        }

        args[4] = "--www-port=" + FerryProcess.freePort();
        try (var second = FerryProcess.start(args)) {
            assertThat(second.awaitExit(Duration.ofSeconds(30))).isEqualTo(1);
            assertThat(second.outputText()).contains("the database schema is at version 99, newer than this Ferry knows (up to 4)")
                    .doesNotContain("ready:");
        }
    }
}
