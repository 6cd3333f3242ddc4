package dev.ferrymta.relay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AmqpAddressTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "amqp://guest:guest@localhost/           | false | localhost | 5672 | guest | guest | /",
            "amqp://guest:guest@localhost            | false | localhost | 5672 | guest | guest | /",
            "amqp://u:p@broker:5673/%2F              | false | broker    | 5673 | u     | p     | /",
            "amqp://u:p@broker/mail                  | false | broker    | 5672 | u     | p     | mail",
            "amqps://u:p%40ss@broker/                | true  | broker    | 5671 | u     | p@ss  | /",
            "amqp://broker/                          | false | broker    | 5672 | guest | guest | /",
            "amqp://u:a+b@[::1]:5672/                | false | ::1       | 5672 | u     | a+b   | /",
    })
    void parsesAddressesWithTheDefaultVhostForATrailingSlash(String text, boolean tls, String host, int port,
            String user, String password, String vhost) {
        assertThat(AmqpAddress.parse(text)).isEqualTo(new AmqpAddress(tls, host, port, user, password, vhost));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://localhost/", "localhost", "amqp:///", "amqp://h/a/b", "amqp://h/?heartbeat=5", "amqp://h o/"})
    void rejectsWhatIsNotABrokerAddress(String text) {
        assertThatThrownBy(() -> AmqpAddress.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @org.junit.jupiter.api.Test
    void neverShowsThePassword() {
        assertThat(AmqpAddress.parse("amqp://ferry:s3cret@broker:5672/mail"))
                .hasToString("amqp://ferry@broker:5672/mail");
    }
}
