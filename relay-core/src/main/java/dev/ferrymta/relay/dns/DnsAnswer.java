package dev.ferrymta.relay.dns;

import java.util.List;

/** What a DNS lookup came to. */
public sealed interface DnsAnswer<T> {

    /** Records of the asked type. */
    record Records<T>(List<T> records) implements DnsAnswer<T> {
        public Records {
            records = List.copyOf(records);
        }
    }

    /** The name exists but has no records of the asked type (NODATA). */
    record NoRecords<T>() implements DnsAnswer<T> {
    }

    /** The name does not exist (NXDOMAIN): permanent. */
    record NoSuchName<T>() implements DnsAnswer<T> {
    }

    /** No usable answer now (timeout, SERVFAIL, REFUSED): try again later. */
    record Failure<T>(String reason) implements DnsAnswer<T> {
    }
}
