package dev.ferrymta.relay.dns;

import java.net.InetAddress;

/** The DNS lookups delivery needs; an interface so that logic is tested without the network. */
public interface DnsResolver {

    /** The MX records of a domain. */
    DnsAnswer<MxRecord> mx(String domain);

    /** The IPv4 and IPv6 addresses of a host, IPv4 first. */
    DnsAnswer<InetAddress> addresses(String host);
}
