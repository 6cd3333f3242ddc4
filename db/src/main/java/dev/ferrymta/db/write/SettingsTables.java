package dev.ferrymta.db.write;

import static dev.ferrymta.db.write.RowWriter.Column.cast;
import static dev.ferrymta.db.write.RowWriter.Column.plain;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * How each single-row settings table maps to SQL: its columns, how a validated input binds to
 * them, and what its constraints mean for the person who filled in the form. The constraint names
 * are the ones PostgreSQL gave the constraints of {@code V1__settings.sql}.
 */
final class SettingsTables {

    private SettingsTables() {
    }

    static RowWriter<Validated.Throttle> throttles(WriteTransaction transaction) {
        return new RowWriter<>(transaction, SettingsTable.THROTTLES,
                List.of(cast("local_ip", "cidr"), plain("domain"), plain("max_connections"), plain("messages_per_minute"),
                        plain("messages_per_connection"), plain("idle_timeout_seconds"), plain("provider")),
                (statement, throttle) -> {
                    statement.setString(1, throttle.localIp());
                    statement.setString(2, throttle.domain());
                    setInteger(statement, 3, throttle.maxConnections());
                    setInteger(statement, 4, throttle.messagesPerMinute());
                    setInteger(statement, 5, throttle.messagesPerConnection());
                    setInteger(statement, 6, throttle.idleTimeoutSeconds());
                    statement.setString(7, throttle.provider());
                },
                throttle -> {
                    var message = "another throttle already applies to local IP %s and %s"
                            .formatted(orAny(throttle.localIp()), throttle.provider() != null ? "provider " + throttle.provider()
                                    : "domain " + orAny(throttle.domain()));
                    return ConstraintErrors.none()
                            .on("throttles_scope", new FieldError("localIp", message), new FieldError("domain", message));
                });
    }

    static RowWriter<Validated.Route> routes(WriteTransaction transaction) {
        return new RowWriter<>(transaction, SettingsTable.DOMAIN_ROUTES,
                List.of(plain("domain"), plain("kind"), plain("host"), plain("port")),
                (statement, route) -> {
                    statement.setString(1, route.domain());
                    statement.setString(2, route.kind());
                    statement.setString(3, route.host());
                    statement.setInt(4, route.port());
                },
                route -> ConstraintErrors.none()
                        .on("domain_routes_domain_key", new FieldError("domain", "%s already has a route".formatted(route.domain()))));
    }

    static RowWriter<Validated.Pause> pauses(WriteTransaction transaction) {
        return new RowWriter<>(transaction, SettingsTable.PAUSES,
                List.of(cast("local_ip", "cidr"), plain("domain"), plain("until"), plain("reason"), plain("tag"), plain("provider")),
                (statement, pause) -> {
                    statement.setString(6, pause.provider());
                    statement.setString(1, pause.localIp());
                    statement.setString(2, pause.domain());
                    if (pause.until() == null) {
                        statement.setNull(3, Types.TIMESTAMP_WITH_TIMEZONE);
                    } else {
                        statement.setObject(3, OffsetDateTime.ofInstant(pause.until(), ZoneOffset.UTC));
                    }
                    statement.setString(4, pause.reason());
                    statement.setString(5, pause.tag());
                },
                // Pauses may overlap: several reasons can hold the same traffic, each removed on its own.
                pause -> ConstraintErrors.none());
    }

    static RowWriter<Validated.EhloName> ehloNames(WriteTransaction transaction) {
        return new RowWriter<>(transaction, SettingsTable.EHLO_NAMES,
                List.of(cast("local_ip", "inet"), plain("name")),
                (statement, ehlo) -> {
                    statement.setString(1, ehlo.localIp());
                    statement.setString(2, ehlo.name());
                },
                ehlo -> ConstraintErrors.none()
                        .on("ehlo_names_local_ip_key", new FieldError("localIp", "%s already has an EHLO name".formatted(ehlo.localIp()))));
    }

    static RowWriter<Validated.DkimKey> dkimKeys(WriteTransaction transaction) {
        return new RowWriter<>(transaction, SettingsTable.DKIM_KEYS,
                List.of(plain("domain"), plain("selector"), plain("private_key")),
                (statement, key) -> {
                    statement.setString(1, key.domain());
                    statement.setString(2, key.selector());
                    statement.setString(3, key.privateKeyPem());
                },
                key -> ConstraintErrors.none()
                        .on("dkim_keys_domain_selector_key", new FieldError("selector",
                                "%s already has a key with selector %s".formatted(key.domain(), key.selector()))));
    }

    static RowWriter<Validated.ResponseRule> responseRules(WriteTransaction transaction) {
        return new RowWriter<>(transaction, SettingsTable.RESPONSE_RULES,
                List.of(plain("name"), plain("code"), plain("status"), plain("pattern"), plain("domain"), plain("action"), plain("scope"),
                        plain("minutes"), plain("messages_per_minute"), plain("max_connections"), plain("category"), plain("note"),
                        plain("provider")),
                (statement, rule) -> {
                    statement.setString(13, rule.provider());
                    statement.setString(1, rule.name());
                    statement.setString(2, rule.code());
                    statement.setString(3, rule.status());
                    statement.setString(4, rule.text());
                    statement.setString(5, rule.domain());
                    statement.setString(6, rule.action());
                    statement.setString(7, rule.scope());
                    setInteger(statement, 8, rule.minutes());
                    setInteger(statement, 9, rule.messagesPerMinute());
                    setInteger(statement, 10, rule.maxConnections());
                    statement.setString(11, rule.category());
                    statement.setString(12, rule.note());
                },
                rule -> ConstraintErrors.none()
                        .on("response_rules_name_key", new FieldError("name", "a response rule named %s exists".formatted(rule.name()))));
    }

    static RowWriter<Validated.BackOff> backOffs(WriteTransaction transaction) {
        return new RowWriter<>(transaction, SettingsTable.BACK_OFFS,
                List.of(cast("local_ip", "cidr"), plain("domain"), plain("until"), plain("messages_per_minute"), plain("max_connections"),
                        plain("reason"), plain("provider")),
                (statement, backOff) -> {
                    statement.setString(7, backOff.provider());
                    statement.setString(1, backOff.localIp());
                    statement.setString(2, backOff.domain());
                    statement.setObject(3, OffsetDateTime.ofInstant(backOff.until(), ZoneOffset.UTC));
                    setInteger(statement, 4, backOff.messagesPerMinute());
                    setInteger(statement, 5, backOff.maxConnections());
                    statement.setString(6, backOff.reason());
                },
                // Back-offs may overlap: each lowers the limits on its own, and each is lifted on its own.
                backOff -> ConstraintErrors.none());
    }

    static RowWriter<Validated.Provider> providers(WriteTransaction transaction) {
        return new RowWriter<>(transaction, SettingsTable.PROVIDERS, List.of(plain("name"), plain("mx_patterns")),
                (statement, provider) -> {
                    statement.setString(1, provider.name());
                    statement.setString(2, provider.mxPatterns());
                },
                provider -> ConstraintErrors.none()
                        .on("providers_name_key", new FieldError("name", "a provider named %s exists".formatted(provider.name()))));
    }

    private static void setInteger(PreparedStatement statement, int index, Integer value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.INTEGER);
        } else {
            statement.setInt(index, value);
        }
    }

    private static String orAny(String value) {
        return value == null ? "(any)" : value;
    }
}
