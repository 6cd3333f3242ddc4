package dev.ferrymta.db.write;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

class ConstraintErrorsTest {

    private final ConstraintErrors errors = ConstraintErrors.none()
            .on("ip_pools_name_key", new FieldError("name", "a pool named 'bulk' already exists"))
            .on("ip_pool_ips_pool_id_fkey", new FieldError("pool", "no pool named 'bulk'"));

    @Test
    void turnsAKnownUniqueViolationIntoItsFieldError() {
        var refused = errors.translate(serverError("23505", "ip_pools", "ip_pools_name_key", null));

        assertThat(refused).hasValueSatisfying(e -> assertThat(e.errors())
                .containsExactly(new FieldError("name", "a pool named 'bulk' already exists")));
    }

    @Test
    void turnsAKnownForeignKeyViolationIntoItsFieldError() {
        var refused = errors.translate(serverError("23503", "ip_pool_ips", "ip_pool_ips_pool_id_fkey", null));

        assertThat(refused).hasValueSatisfying(e -> assertThat(e.errors()).containsExactly(new FieldError("pool", "no pool named 'bulk'")));
    }

    @Test
    void findsTheServerErrorBehindABatchFailure() {
        var batch = new BatchUpdateException("batch entry 0 failed", "23505", new int[0]);
        batch.setNextException(serverError("23505", "ip_pools", "ip_pools_name_key", null));

        assertThat(errors.translate(batch)).hasValueSatisfying(e -> assertThat(e.errors()).extracting(FieldError::field).containsExactly("name"));
    }

    @ParameterizedTest
    @CsvSource({
        "23514, throttles, throttles_max_connections_check, , maxConnections",
        "23514, domain_routes, domain_routes_port_check, , port",
        "23502, throttles, , local_ip, localIp",
        "23505, throttles, some_other_key, idle_timeout_seconds, idleTimeoutSeconds",
        "23514, , dns_name_check, , dns_name_check",
        "23514, pauses, pauses_reason_check, , reason",
        "23514, ip_pools, custom_rule, , custom_rule",
    })
    void stillNamesAFieldForAViolationValidationShouldHaveCaught(String state, String table, String constraint, String column, String field) {
        var refused = errors.translate(serverError(state, table, constraint, column));

        assertThat(refused).hasValueSatisfying(e -> assertThat(e.errors()).singleElement()
                .satisfies(error -> assertThat(error.field()).isEqualTo(field))
                .satisfies(error -> assertThat(error.message()).contains("SQLState " + state)));
    }

    @Test
    void leavesOtherFailuresAlone() {
        assertThat(errors.translate(new SQLException("connection refused", "08001"))).isEmpty();
        assertThat(errors.translate(new SQLException("no state"))).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"local_ip, localIp", "messages_per_minute, messagesPerMinute", "name, name"})
    void namesFieldsAsTheJsonApiDoes(String column, String field) {
        assertThat(ConstraintErrors.camelCase(column)).isEqualTo(field);
    }

    /** A server error as pgjdbc reads it off the wire: fields tagged by one letter, ended by NUL. */
    private static PSQLException serverError(String state, String table, String constraint, String column) {
        var fields = new StringBuilder("SERROR\0C" + state + "\0Mviolation\0");
        for (var field : List.of(table == null ? "" : "t" + table, constraint == null ? "" : "n" + constraint,
                column == null ? "" : "c" + column)) {
            if (!field.isEmpty()) {
                fields.append(field).append('\0');
            }
        }
        return new PSQLException(new ServerErrorMessage(fields.toString()));
    }
}
