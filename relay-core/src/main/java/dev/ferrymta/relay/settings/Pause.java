package dev.ferrymta.relay.settings;

import dev.ferrymta.relay.mail.Domain;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Optional;

/**
 * Sending from some local IPs to a domain is held until a time, or until the pause is removed.
 *
 * @param id       database id
 * @param revision bumped by every change
 * @param localIp  the local IPs it holds; empty: any
 * @param domain   the destination domain; empty: any
 * @param until    when it ends by itself; empty: only when removed
 * @param reason   why, for the console
 */
public record Pause(long id, int revision, Optional<IpRange> localIp, Optional<Domain> domain, Optional<Instant> until,
        String reason) {

    /** Whether this pause holds sending from {@code ip} to {@code to} at {@code now}. */
    public boolean holds(InetAddress ip, Domain to, Instant now) {
        return localIp.map(range -> range.contains(ip)).orElse(true)
                && domain.map(to::equals).orElse(true)
                && until.map(now::isBefore).orElse(true);
    }
}
