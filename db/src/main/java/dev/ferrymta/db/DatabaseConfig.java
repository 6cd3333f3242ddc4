package dev.ferrymta.db;

import dev.ferrymta.relay.config.ConfigReader;
import dev.ferrymta.relay.config.ValueType;
import java.time.Duration;
import java.util.Set;

/**
 * The database's settings from the config file. Immutable.
 *
 * @param address {@code database-address}: the shared PostgreSQL database
 * @param ttl     {@code database-ttl}: how often to check for a newer settings version, the safety
 *                net for a lost change signal
 */
public record DatabaseConfig(DatabaseAddress address, Duration ttl) {

    /** The keys this record reads. */
    public static final Set<String> KEYS = Set.of("database-address", "database-ttl");

    /** Reads and validates the database keys; {@code database-address} is required. */
    public static DatabaseConfig from(ConfigReader config) {
        return new DatabaseConfig(
                config.required("database-address", new ValueType<>(DatabaseAddress.FORMAT, DatabaseAddress::parse)),
                config.get("database-ttl", ValueType.duration(Duration.ofSeconds(1), Duration.ofHours(24)), Duration.ofSeconds(60)));
    }
}
