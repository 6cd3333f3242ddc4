package dev.ferrymta.relay.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessageSizeLimitTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        "PRECONDITION_FAILED - message size 2097152 is larger than configured max size 1048576 | 1048576",
        "message size 135000000 is larger than configured max size 134217728 | 134217728",
        "NOT_FOUND - no exchange 'x' in vhost '/' | -1",
        "null | -1",
        "message size 5 is larger than configured max size 99999999999999999999 | -1"})
    void readsTheBrokersLimitOutOfItsCloseReason(String reason, long expected) {
        assertThat(MessageSizeLimit.parse(reason)).isEqualTo(expected < 0 ? OptionalLong.empty() : OptionalLong.of(expected));
    }
}
