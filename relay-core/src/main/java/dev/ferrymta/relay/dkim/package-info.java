/**
 * DKIM signing (RFC 6376, RFC 8463): canonicalization, the signature header, the keys of the
 * shared settings chosen by the author's domain. Applied to the exact bytes that go on the wire.
 */
package dev.ferrymta.relay.dkim;
