package dev.ferrymta.relay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigFileTest {

    @Test
    void readsKeyValueLinesSkippingCommentsAndBlankLines() {
        var values = ConfigFile.parse("""
                # a comment
                server-id: mail1

                  rabbitmq-qos :  20\s\s
                """, "test.conf");

        assertThat(values).containsExactly(
                new ConfigValue("server-id", "mail1", "test.conf line 2"),
                new ConfigValue("rabbitmq-qos", "20", "test.conf line 4"));
    }

    @Test
    void keepsColonsInsideValues() {
        var values = ConfigFile.parse("rabbitmq-address: amqp://guest:guest@localhost:5672/\n", "f");

        assertThat(values.getFirst().value()).isEqualTo("amqp://guest:guest@localhost:5672/");
    }

    @Test
    void acceptsWindowsLineEndingsAndAByteOrderMark() {
        var values = ConfigFile.parse("\uFEFFserver-id: a\r\nwww-port: 1\r\n", "f");

        assertThat(values).extracting(ConfigValue::key).containsExactly("server-id", "www-port");
    }

    @Test
    void keepsAnEmptyValue() {
        assertThat(ConfigFile.parse("rabbitmq-success:\n", "f").getFirst().value()).isEmpty();
    }

    @Test
    void rejectsALineWithoutColonNamingTheLine() {
        assertThatThrownBy(() -> ConfigFile.parse("server-id: a\njust words\n", "my.conf"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("my.conf line 2: 'just words' is not a 'key: value' line");
    }

    @Test
    void rejectsAKeyGivenTwice() {
        assertThatThrownBy(() -> ConfigFile.parse("www-port: 1\n\nwww-port: 2\n", "my.conf"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("www-port: set twice in my.conf, on line 1 and line 3; keep one");
    }

    @Test
    void rejectsAMalformedKey() {
        assertThatThrownBy(() -> ConfigFile.parse("Server_ID: a\n", "my.conf"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("my.conf line 1: 'Server_ID' is not a valid key");
    }

    @Test
    void namesTheFileThatCannotBeRead() {
        assertThatThrownBy(() -> ConfigFile.read(Path.of("/nonexistent/ferry.conf")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("cannot read config file /nonexistent/ferry.conf: no such file");
    }
}
