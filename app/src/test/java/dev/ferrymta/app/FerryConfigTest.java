package dev.ferrymta.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferrymta.relay.config.ConfigFile;
import dev.ferrymta.relay.config.ConfigValue;
import dev.ferrymta.relay.config.HostInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class FerryConfigTest {

    private static final Path SAMPLE = Path.of("..", "config.sample");

    private static final HostInfo HOST = LoopbackHost.INSTANCE;

    @Test
    void configSampleLoadsAsAWorkingInstance() {
        var config = FerryConfig.load(CommandLine.parse(List.of("--config", SAMPLE.toString())), Map.of(), HOST);

        assertThat(config.relay().serverId()).isEqualTo("ferry-1");
        assertThat(config.database().address().toString()).isEqualTo("postgresql://ferry@127.0.0.1:5432/ferry");
        assertThat(config.console().port()).isEqualTo(8485);
        assertThat(config.console().url().toString()).isEqualTo("http://127.0.0.1:8485/");
        assertThat(config.cluster().interval()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void configSampleDocumentsEveryKeyAndNoOther() throws Exception {
        var text = Files.readString(SAMPLE);
        var documented = new TreeSet<String>();
        // Set keys, and keys shown commented out ("# cluster-secret:").
        var matcher = Pattern.compile("(?m)^#? ?([a-z]+(?:-[a-z0-9]+)+):").matcher(text);
        while (matcher.find()) {
            documented.add(matcher.group(1));
        }

        assertThat(documented).containsExactlyInAnyOrderElementsOf(FerryConfig.KEYS);
    }

    @Test
    void argumentsOverrideTheEnvironmentWhichOverridesTheFile() {
        var config = FerryConfig.load(
                CommandLine.parse(List.of("--config", SAMPLE.toString(), "--www-port=9001")),
                Map.of("FERRY_WWW_PORT", "9000", "FERRY_SERVER_ID", "from-env"), HOST);

        assertThat(config.console().port()).isEqualTo(9001);
        assertThat(config.relay().serverId()).isEqualTo("from-env");
        assertThat(config.relay().outboxQueue()).isEqualTo("outbox");
    }

    @Test
    void mailerqKeysFerryDoesNotUseAreNamedAndIgnoredAndUnknownKeysStillStop() {
        var file = List.of(new ConfigValue("license", "/etc/mailerq/license.txt", "f line 1"),
                new ConfigValue("storage-address", "mongodb://x/y", "f line 2"),
                new ConfigValue("database-address", "postgresql://h/db", "f line 3"),
                new ConfigValue("cluster-timeout", "2", "f line 4"),
                new ConfigValue("cluster-peer-expiry", "20", "f line 5"));
        var config = FerryConfig.load(file, Map.of(), List.of(), HOST);

        assertThat(config.warnings()).containsExactly(
                "license (f line 1) is a MailerQ setting that Ferry does not use; ignored",
                "storage-address (f line 2) is a MailerQ setting that Ferry does not use; ignored");
        // cluster-timeout as MailerQ means it: how long --list-cluster waits; peers expire by cluster-peer-expiry.
        assertThat(config.cluster().listWait()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.cluster().timeout()).isEqualTo(Duration.ofSeconds(20));

        assertThatThrownBy(() -> FerryConfig.load(List.of(new ConfigValue("licence", "x", "f line 1"),
                new ConfigValue("database-address", "postgresql://h/db", "f line 2")), Map.of(), List.of(), HOST))
                .isInstanceOf(dev.ferrymta.relay.config.ConfigException.class).hasMessageStartingWith("licence: unknown key");
    }

    @Test
    void configFileIsMailerqsSpellingOfConfig() {
        assertThat(CommandLine.parse(List.of("--config-file", "a.txt")).configFile()).contains(Path.of("a.txt"));
        assertThat(CommandLine.parse(List.of("--config-file=b.txt")).configFile()).contains(Path.of("b.txt"));
    }

    @Test
    void everyKeyInTheSampleIsAKnownKey() {
        assertThat(ConfigFile.read(SAMPLE)).extracting(ConfigValue::key).allMatch(FerryConfig.KEYS::contains);
    }
}
