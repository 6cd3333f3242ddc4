package dev.ferrymta.relay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
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
            "'  amqp://u:a,b@broker/mail '           | false | broker    | 5672 | u     | a,b   | mail",
    })
    void parsesOneAddressWithTheDefaultVhostForATrailingSlash(String text, boolean tls, String host, int port,
            String user, String password, String vhost) {
        assertThat(AmqpAddress.parse(text)).isEqualTo(new AmqpAddress(tls, host, port, user, password, vhost));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // nodes as HostAndPort shows them, separated by spaces
            "amqp://u:pw0rd@10.0.0.1/mail,amqp://u:pw0rd@10.0.0.2/mail,amqp://u:pw0rd@10.0.0.3/mail "
                    + "| false | 10.0.0.1:5672 10.0.0.2:5672 10.0.0.3:5672 | u     | pw0rd | mail",
            "'amqp://u:pw0rd@mq1:5681/ ,  amqp://u:pw0rd@mq2:5682/\t,amqp://u:pw0rd@mq3:5683/' "
                    + "| false | mq1:5681 mq2:5682 mq3:5683                | u     | pw0rd | /",
            "amqp://guest:guest@localhost/, amqp://guest:guest@localhost:5673 "
                    + "| false | localhost:5672 localhost:5673             | guest | guest | /",
            "AMQPS://u:pw0rd@mq1/mail, amqps://u:pw0rd@mq2:5671/mail "
                    + "| true  | mq1:5671 mq2:5671                         | u     | pw0rd | mail",
            "amqp://u:pw0rd@[::1]:5681/%2F,amqp://u:pw0rd@[2001:db8::2]/,amqp://u:pw0rd@127.0.0.1:5681/ "
                    + "| false | [::1]:5681 [2001:db8::2]:5672 127.0.0.1:5681 | u  | pw0rd | /",
            // A comma inside the password or vhost is not followed by a scheme, so it does not separate.
            "'amqp://u:a,b@mq1/x,y, amqp://u:a,b@mq2/x,y' "
                    + "| false | mq1:5672 mq2:5672                         | u     | a,b   | x,y",
    })
    void parsesSeveralNodesOfOneBroker(String text, boolean tls, String nodes, String user, String password, String vhost) {
        var address = AmqpAddress.parse(text);

        assertThat(address.nodes().stream().map(HostAndPort::toString)).containsExactly(nodes.split(" "));
        assertThat(address).isEqualTo(new AmqpAddress(tls, address.nodes(), user, password, vhost));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "amqp://alice:pw0rd@mq1/mail,amqp://bob:pw0rd@mq2/mail            | address 2 has user 'bob' and address 1 'alice'; all must have the same scheme, user, password and vhost",
            "amqp://u:pw0rd@mq1/,amqp://u:pw0rd@mq2/,amqp://u:zebra9@mq3/      | address 3 has another password than address 1;",
            "amqp://u:pw0rd@mq1/mail,amqp://u:pw0rd@mq2/                       | address 2 has vhost '/' and address 1 'mail';",
            "amqp://u:pw0rd@mq1/,amqps://u:pw0rd@mq2/                          | address 2 is amqps:// and address 1 amqp://;",
            "amqp://u:pw0rd@mq1/,,amqp://u:pw0rd@mq2/                          | address 2 is empty",
            "'amqp://u:pw0rd@mq1/ , , amqp://u:pw0rd@mq2/'                     | address 2 is empty",
            "'amqp://u:pw0rd@mq1/, '                                           | address 2 is empty",
            ",amqp://u:pw0rd@mq1/                                              | address 1 is empty",
            "amqp://u:pw0rd@mq1/,amqp://u:pw0rd@mq2/,amqp://u:pw0rd@MQ1:5672/  | address 3 names node MQ1:5672 again (address 1 has it)",
            "amqp://u:pw0rd@[::1]/,amqp://u:pw0rd@[0:0:0:0:0:0:0:1]:5672/      | address 2 names node [0:0:0:0:0:0:0:1]:5672 again (address 1 has it)",
            "amqp://u:pw0rd@mq1/,http://u:pw0rd@mq2/                           | address 2: the scheme must be amqp or amqps",
            "amqp://u:pw0rd@mq1/,amqp://u:pw0rd@/                              | address 2: no host",
            "amqp://u:pw0rd@mq1/,amqp://u:pw0rd@mq2/a/b                        | address 2: a vhost containing '/' must be written as %2F",
    })
    void refusesAListThatIsNotOneBrokerSayingWhatDiffersWithoutThePassword(String text, String message) {
        assertThatThrownBy(() -> AmqpAddress.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message)
                .message().doesNotContain("pw0rd", "zebra9");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://localhost/", "localhost", "amqp:///", "amqp://h/a/b", "amqp://h/?heartbeat=5", "amqp://h o/",
            "amqp://h:0/", "", "amqp://h1/ amqp://h2/"})
    void refusesWhatIsNotABrokerAddress(String text) {
        assertThatThrownBy(() -> AmqpAddress.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesNoNodesAndTheSameNodeTwice() {
        assertThatThrownBy(() -> new AmqpAddress(false, List.of(), "u", "p", "/")).hasMessage("no node");
        assertThatThrownBy(() -> new AmqpAddress(false, List.of(new HostAndPort("mq1", 5672), new HostAndPort("mq1", 5672)), "u", "p", "/"))
                .hasMessage("address 2 names node mq1:5672 again (address 1 has it)");
    }

    @Test
    void neverShowsThePassword() {
        assertThat(AmqpAddress.parse("amqp://ferry:s3cret@broker:5672/mail"))
                .hasToString("amqp://ferry@broker:5672/mail");
        assertThat(AmqpAddress.parse("amqp://ferry:s3cret@10.0.0.1/mail, amqp://ferry:s3cret@[2001:db8::2]:5673/mail"))
                .hasToString("amqp://ferry@10.0.0.1:5672/mail, amqp://ferry@[2001:db8::2]:5673/mail");
    }

    @Test
    void aListShownIsReadBackAsTheSameNodes() {
        var address = AmqpAddress.parse("amqps://ferry:s3cret@mq1/mail,amqps://ferry:s3cret@mq2:5672/mail");

        var again = AmqpAddress.parse(address.toString());

        assertThat(again.nodes()).isEqualTo(address.nodes());
        assertThat(Arrays.asList(again.tls(), again.user(), again.vhost())).containsExactly(true, "ferry", "mail");
    }
}
