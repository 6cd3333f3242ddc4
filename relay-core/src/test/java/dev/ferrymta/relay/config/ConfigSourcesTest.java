package dev.ferrymta.relay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigSourcesTest {

    @Test
    void mapsFerryEnvironmentVariablesToKeys() {
        var values = ConfigSources.fromEnvironment(Map.of(
                "FERRY_RABBITMQ_ADDRESS", "amqp://h/", "PATH", "/bin", "FERRY_", "x"));

        assertThat(values).containsExactly(
                new ConfigValue("rabbitmq-address", "amqp://h/", "environment variable FERRY_RABBITMQ_ADDRESS"));
    }

    @Test
    void parsesKeyValueArgumentsKeepingEqualsSignsInValues() {
        var values = ConfigSources.fromArguments(List.of("--www-password=a=b", "--smtp-ips="));

        assertThat(values).containsExactly(
                new ConfigValue("www-password", "a=b", "argument --www-password"),
                new ConfigValue("smtp-ips", "", "argument --smtp-ips"));
    }

    @Test
    void rejectsAnArgumentThatIsNotKeyEqualsValue() {
        assertThatThrownBy(() -> ConfigSources.fromArguments(List.of("--www-port", "8000")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("'--www-port' is not a setting: expected --key=value");
    }

    @Test
    void argumentsOverrideEnvironmentWhichOverridesTheFile() {
        var file = List.of(new ConfigValue("www-port", "1", "file"), new ConfigValue("server-id", "f", "file"),
                new ConfigValue("www-ip", "127.0.0.1", "file"));
        var environment = List.of(new ConfigValue("www-port", "2", "env"), new ConfigValue("server-id", "e", "env"));
        var arguments = List.of(new ConfigValue("www-port", "3", "arg"));

        var merged = ConfigSources.layered(file, environment, arguments);

        assertThat(merged.get("www-port").value()).isEqualTo("3");
        assertThat(merged.get("server-id").value()).isEqualTo("e");
        assertThat(merged.get("www-ip").value()).isEqualTo("127.0.0.1");
    }
}
