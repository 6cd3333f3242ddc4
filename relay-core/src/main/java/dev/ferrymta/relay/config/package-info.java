/**
 * The {@code key: value} configuration: reading the file, {@code FERRY_*} environment variables
 * and {@code --key=value} arguments in order of precedence, and typed, validated access to the
 * values. Each module turns the values into its own immutable config record.
 */
package dev.ferrymta.relay.config;
