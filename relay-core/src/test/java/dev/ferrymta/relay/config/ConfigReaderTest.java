package dev.ferrymta.relay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
    void showsABadAddressWithoutItsPassword() {
        var config = reader("database-address: postgresql://ferry:s3cret@db/\n");

        assertThatThrownBy(() -> config.required("database-address", new ValueType<>("postgresql://user:password@host/database", s -> {
            throw new IllegalArgumentException("no database name");
        }))).hasMessage("database-address: 'postgresql://ferry:****@db/' (f.conf line 1) is not valid: "
                + "expected postgresql://user:password@host/database (no database name)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "amqp://u:s3cret@mq1/mail                              | amqp://u:****@mq1/mail",
            "amqp://u:s3cret@mq1/, amqp://v:s3cret@mq2:5672/mail   | amqp://u:****@mq1/, amqp://v:****@mq2:5672/mail",
            "amqp://u:s3:cr@et@mq1/,amqp://u:s3,cr/et@mq2/         | amqp://u:****@mq1/,amqp://u:****@mq2/",
            "'amqp://u:s3cret@mq1/ ,, amqp://u@mq2/'               | 'amqp://u:****@mq1/ ,, amqp://u@mq2/'",
            "amqp://u:s3cret@mq1/,amqp://mq2:5672/a@b              | amqp://u:****@mq1/,amqp://mq2:****@b",
            "amqp://mq1:5672/, amqp://u@mq2/                       | amqp://mq1:5672/, amqp://u@mq2/",
            "'amqp://u:s3 cret@mq1/'                               | amqp://u:****@mq1/",
            "many                                                  | many",
    })
    void hidesThePasswordOfEveryUriInAValueItRepeats(String value, String shown) {
        assertThat(ConfigException.withoutPasswords(value)).isEqualTo(shown);
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
