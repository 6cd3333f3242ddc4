/** Database isolation for tests: each test class gets a fresh PostgreSQL database, dropped after it. */
package dev.ferrymta.testing.db;
