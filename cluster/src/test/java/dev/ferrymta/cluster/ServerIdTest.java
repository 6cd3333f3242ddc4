package dev.ferrymta.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ServerIdTest {

    private static final String LONGEST = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    @ParameterizedTest
    @ValueSource(strings = {"a", "mail1", "mail-1.example_x", "9lives", "A.B-C_D", LONGEST})
    void acceptsTheConfigKeysAlphabet(String value) {
        assertThat(new ServerId(value).value()).isEqualTo(value);
        assertThat(ServerId.isValid(value)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-a", ".a", "_a", "a b", "a/b", "a:b", "mäil", "a\n", LONGEST + "a"})
    void refusesAnythingElse(String value) {
        assertThat(ServerId.isValid(value)).isFalse();
        assertThatThrownBy(() -> new ServerId(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("a server id must be 1 to 63 letters, digits");
    }

    @Test
    void theLongestIdIsSixtyThreeCharacters() {
        assertThat(LONGEST).hasSize(63);
    }

    @Test
    void nullIsNotValid() {
        assertThat(ServerId.isValid(null)).isFalse();
    }

    @Test
    void printsAsTheBareId() {
        assertThat(new ServerId("mail2")).hasToString("mail2");
    }

    @Test
    void ordersByValue() {
        assertThat(new ServerId("b")).isGreaterThan(new ServerId("a"));
    }
}
