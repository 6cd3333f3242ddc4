package dev.ferrymta.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferrymta.relay.config.ConfigException;
import dev.ferrymta.relay.config.ConfigFile;
import dev.ferrymta.relay.config.ConfigReader;
import dev.ferrymta.relay.config.ConfigSources;
import org.junit.jupiter.api.Test;

class ConsoleConfigTest {

    private static ConsoleConfig console(String file) {
        return ConsoleConfig.from(new ConfigReader(ConfigSources.layered(ConfigFile.parse(file, "f")), ConsoleConfig.KEYS), "mail1.example.com");
    }

    @Test
    void listensOnLoopbackPort8485ByDefault() {
        var console = console("");

        assertThat(console.ip().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(console.port()).isEqualTo(8485);
        assertThat(console.url()).hasToString("http://127.0.0.1:8485/");
    }

    @Test
    void refusesToListenBeyondLoopbackWithoutAPassword() {
        assertThatThrownBy(() -> console("www-ip: 0.0.0.0\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("www-ip: '0.0.0.0' (f line 1) is not valid: expected a loopback address");
    }

    @Test
    void usesTheHostNameInTheDefaultUrlWhenListeningOnAllAddresses() {
        assertThat(console("www-ip: 0.0.0.0\nwww-password: correct-horse\n").url()).hasToString("http://mail1.example.com:8485/");
    }

    @Test
    void refusesAShortPasswordWithoutRepeatingIt() {
        assertThatThrownBy(() -> console("www-password: abc\n"))
                .hasMessage("www-password: the value (f line 1) is not valid: expected at least 8 characters");
    }
}
