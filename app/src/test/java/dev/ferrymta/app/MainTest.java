package dev.ferrymta.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferrymta.relay.FerryVersion;
import dev.ferrymta.relay.config.HostInfo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MainTest {

    private static final HostInfo HOST = LoopbackHost.INSTANCE;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> environment, String... args) {
        return Main.run(args, environment, HOST, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsTheVersion() {
        assertThat(run(Map.of(), "--version")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("ferry " + FerryVersion.current() + "\n");
    }

    @Test
    void printsUsageForHelp() {
        assertThat(run(Map.of(), "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: ferry [--config FILE | --config-file FILE]");
    }

    @Test
    void exitsWith2AndOneLineNamingTheKeyForABadValue() {
        assertThat(run(Map.of(), "--database-address=postgresql://h/db", "--www-port=http")).isEqualTo(2);
        assertThat(stderr()).isEqualTo("ferry: config: www-port: 'http' (argument --www-port) is not valid: "
                + "expected a port number from 1 to 65535\n");
    }

    @Test
    void exitsWith2ForAMissingRequiredKey() {
        assertThat(run(Map.of())).isEqualTo(2);
        assertThat(stderr()).startsWith("ferry: config: database-address: missing").hasLineCount(1);
    }

    @Test
    void exitsWith2ForAnUnknownEnvironmentKey() {
        assertThat(run(Map.of("FERRY_WWW_PROT", "1"), "--database-address=postgresql://h/db")).isEqualTo(2);
        assertThat(stderr()).isEqualTo("ferry: config: www-prot: unknown key (environment variable FERRY_WWW_PROT); "
                + "did you mean www-port?\n");
    }

    @Test
    void exitsWith2ForAMissingConfigFile() {
        assertThat(run(Map.of(), "--config", "/nonexistent/ferry.conf")).isEqualTo(2);
        assertThat(stderr()).isEqualTo("ferry: config: cannot read config file /nonexistent/ferry.conf: no such file\n");
    }

    @Test
    void exitsWith2ForAnArgumentThatIsNoOption() {
        assertThat(run(Map.of(), "config.sample")).isEqualTo(2);
        assertThat(stderr()).contains("'config.sample' is not an option");
    }

    @Test
    void aFatalErrorIsDescribedByTheFirstMessageInItsChainNeverNull() {
        var wrapped = new RuntimeException((String) null, new java.io.IOException("queue 'q' exists with x-queue-type quorum"));
        assertThat(Main.describe(wrapped)).isEqualTo("queue 'q' exists with x-queue-type quorum");
        assertThat(Main.describe(new IllegalStateException())).isEqualTo("IllegalStateException");
    }

    @Test
    void aCleanStopIsMarkedOnlyWhereTheLauncherAsks(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        var marker = dir.resolve("ferry.clean");
        assertThat(Main.markCleanStop(null, 10, 0)).isFalse();
        assertThat(Main.markCleanStop("", 10, 0)).isFalse();
        assertThat(dir).isEmptyDirectory();

        assertThat(Main.markCleanStop(marker.toString(), 0, 0)).isTrue();
        assertThat(marker).exists();
        // A failure costs only the cache.
        assertThat(Main.markCleanStop(dir.resolve("missing/ferry.clean").toString(), 0, 0)).isFalse();
    }

    /** The launcher's training count against the outbox messages the run handled: the cache is kept from a run of at least that many. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0} handled, training {1}: kept {2}")
    @org.junit.jupiter.params.provider.CsvSource({
            "0, 0, true",
            "0, 1, false",
            "9999, 10000, false",
            "10000, 10000, true",
            "250000, 10000, true",
            "3, 0, true",
    })
    void aCleanStopIsMarkedOnlyAfterTheTrainingMessages(long handled, long training, boolean kept,
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        var marker = dir.resolve("ferry.clean");
        assertThat(Main.markCleanStop(marker.toString(), handled, training)).isEqualTo(kept);
        assertThat(java.nio.file.Files.exists(marker)).isEqualTo(kept);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "''{0}'' -> {1}")
    @org.junit.jupiter.params.provider.CsvSource(value = {
            "NULL, 0",
            "'', 0",
            "'  ', 0",
            "10000, 10000",
            "' 250 ', 250",
            "0, 0",
            "-5, 0",
            "ten, 0",
            "1e4, 0",
    }, nullValues = "NULL")
    void theTrainingPropertyIsAWholeNumberElseZero(String value, long expected) {
        assertThat(Main.trainingMessages(value)).isEqualTo(expected);
    }
}
