package dev.ferrymta.relay.dns;

import java.net.InetAddress;

/** The DNS lookups delivery needs; an interface so that logic is tested without the network. */
public interface DnsResolver {

    /** The MX records of a domain. */
    DnsAnswer<MxRecord> mx(String domain);

    /** The IPv4 and IPv6 addresses of a host, IPv4 first. */
    DnsAnswer<InetAddress> addresses(String host);

    /**
     * The TXT records of a name, each with its character-strings joined (a DKIM key record longer
     * than 255 octets is split into several). A resolver that cannot ask says so as a failure.
     */
    default DnsAnswer<String> txt(String name) {
        return new DnsAnswer.Failure<>("this resolver does not look up TXT records");
    }
}
