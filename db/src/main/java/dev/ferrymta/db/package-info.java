/**
 * The shared PostgreSQL database: its address and pool, and (as the settings work lands) the
 * schema, the {@code SettingsSource} over JDBC and the writes the console makes.
 */
package dev.ferrymta.db;
