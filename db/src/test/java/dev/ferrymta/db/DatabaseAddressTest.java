package dev.ferrymta.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseAddressTest {

    @Test
    void readsUserPasswordHostPortAndDatabase() {
        assertThat(DatabaseAddress.parse("postgresql://ferry:s%40cret@db1:5433/mail"))
                .isEqualTo(new DatabaseAddress("db1", 5433, "mail", Optional.of("ferry"), Optional.of("s@cret"), Optional.empty()));
    }

    @Test
    void defaultsThePortAndAllowsNoCredentials() {
        var address = DatabaseAddress.parse("postgres://127.0.0.1/ferry");

        assertThat(address.port()).isEqualTo(5432);
        assertThat(address.user()).isEmpty();
        assertThat(address.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/ferry");
    }

    @Test
    void passesQueryParametersToTheDriver() {
        assertThat(DatabaseAddress.parse("postgresql://u@[::1]/ferry?sslmode=require").jdbcUrl())
                .isEqualTo("jdbc:postgresql://[::1]:5432/ferry?sslmode=require");
    }

    @Test
    void neverShowsThePassword() {
        assertThat(DatabaseAddress.parse("postgresql://ferry:hunter2@db/ferry")).hasToString("postgresql://ferry@db:5432/ferry");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql://db/ferry", "postgresql://db", "postgresql://db/", "postgresql:///ferry", "db:5432/ferry"})
    void rejectsWhatIsNotAPostgresqlAddress(String text) {
        assertThatThrownBy(() -> DatabaseAddress.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
