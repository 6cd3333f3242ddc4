/**
 * DNS for delivery: MX and address lookups behind the {@link dev.ferrymta.relay.dns.DnsResolver}
 * seam (dnsjava in production, answers cached for their TTL), and {@link
 * dev.ferrymta.relay.dns.MxResolver}, which turns a domain into the hosts to try, in order.
 */
package dev.ferrymta.relay.dns;
