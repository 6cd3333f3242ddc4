package dev.ferrymta.relay.config;

/**
 * One configured value and where it came from, so that an error can point at the line or the
 * argument to fix.
 *
 * @param key    the key, as in the file ({@code rabbitmq-address})
 * @param value  the value with surrounding white space removed; empty when the key was given no value
 * @param origin a human description of the source, such as {@code config.sample line 12}
 */
public record ConfigValue(String key, String value, String origin) {
}
