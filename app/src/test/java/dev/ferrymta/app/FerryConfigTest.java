package dev.ferrymta.app;

import static org.assertj.core.api.Assertions.assertThat;

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
    void everyKeyInTheSampleIsAKnownKey() {
        assertThat(ConfigFile.read(SAMPLE)).extracting(ConfigValue::key).allMatch(FerryConfig.KEYS::contains);
    }
}
