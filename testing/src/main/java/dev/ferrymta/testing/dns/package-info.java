/**
 * A DNS server on a loopback port that answers real wire-format queries from records and faults a
 * test scripts, so the relay's own resolver code runs against real DNS packets in integration
 * tests.
 */
package dev.ferrymta.testing.dns;
