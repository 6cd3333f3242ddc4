package dev.ferrymta.relay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigReaderTest {

    private static final Set<String> KNOWN = Set.of("rabbitmq-address", "rabbitmq-qos", "smtp-timeout", "database-address");

    private static ConfigReader reader(String file) {
        return new ConfigReader(ConfigSources.layered(ConfigFile.parse(file, "f.conf")), KNOWN);
    }

    @Test
    void rejectsAnUnknownKeyNamingTheClosestKnownOne() {
        assertThatThrownBy(() -> reader("rabbitmq-adress: amqp://h/\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("rabbitmq-adress: unknown key (f.conf line 1); did you mean rabbitmq-address?");
    }

    @Test
    void rejectsAnUnknownKeyFarFromAnyKnownOne() {
        assertThatThrownBy(() -> reader("colour: blue\n"))
                .hasMessage("colour: unknown key (f.conf line 1); see config.sample for the known keys");
    }

    @Test
    void rejectsAnUnknownEnvironmentVariable() {
        var values = ConfigSources.layered(ConfigSources.fromEnvironment(java.util.Map.of("FERRY_RABBITMQ_QSO", "5")));

        assertThatThrownBy(() -> new ConfigReader(values, KNOWN))
                .hasMessage("rabbitmq-qso: unknown key (environment variable FERRY_RABBITMQ_QSO); did you mean rabbitmq-qos?");
    }

    @Test
    void namesKeyValueOriginAndExpectationForABadValue() {
        var config = reader("rabbitmq-qos: many\n");

        assertThatThrownBy(() -> config.get("rabbitmq-qos", ValueType.integer(1, 65535), 100))
                .isInstanceOf(ConfigException.class)
                .hasMessage("rabbitmq-qos: 'many' (f.conf line 1) is not valid: expected a whole number from 1 to 65535");
    }

    @Test
    void fallsBackToTheDefaultWhenUnsetOrEmpty() {
        var config = reader("smtp-timeout:\n");

        assertThat(config.get("smtp-timeout", ValueType.duration(Duration.ofSeconds(1), Duration.ofHours(1)), Duration.ofMinutes(5)))
                .isEqualTo(Duration.ofMinutes(5));
        assertThat(config.get("rabbitmq-qos", ValueType.integer(1, 9), 3)).isEqualTo(3);
        assertThat(config.isPresent("smtp-timeout")).isTrue();
        assertThat(config.isPresent("rabbitmq-qos")).isFalse();
    }

    @Test
    void saysHowToSetAMissingRequiredKey() {
        assertThatThrownBy(() -> reader("").required("database-address", ValueType.text()))
                .hasMessage("database-address: missing: expected text; set it in the config file, "
                        + "as --database-address=... or as FERRY_DATABASE_ADDRESS");
    }

    @Test
    void keepsControlCharactersOutOfTheMessage() {
        var values = ConfigSources.layered(List.of(new ConfigValue("rabbitmq-qos", "1\u001b[2J", "argument --rabbitmq-qos")));

        assertThatThrownBy(() -> new ConfigReader(values, KNOWN).get("rabbitmq-qos", ValueType.integer(1, 9), 1))
                .hasMessageStartingWith("rabbitmq-qos: '1\\u001b[2J' (argument --rabbitmq-qos)");
    }

    @Test
    void refusesToReadAKeyNoModuleDeclared() {
        assertThatThrownBy(() -> reader("").value("not-declared")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void measuresEditDistance() {
        assertThat(ConfigReader.editDistance("kitten", "sitting")).isEqualTo(3);
        assertThat(ConfigReader.editDistance("", "abc")).isEqualTo(3);
        assertThat(ConfigReader.editDistance("same", "same")).isZero();
    }
}
