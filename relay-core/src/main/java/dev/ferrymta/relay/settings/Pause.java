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
 * @param tag      holds only messages carrying this tag (MailerQ's {@code "tags"}); empty: every message
 */
public record Pause(long id, int revision, Optional<IpRange> localIp, Optional<Domain> domain, Optional<Instant> until,
        String reason, Optional<String> tag) {

    /** A pause of every message of its scope. */
    public Pause(long id, int revision, Optional<IpRange> localIp, Optional<Domain> domain, Optional<Instant> until, String reason) {
        this(id, revision, localIp, domain, until, reason, Optional.empty());
    }

    /** Whether this pause holds all sending from {@code ip} to {@code to} at {@code now}: an untagged pause of that scope. */
    public boolean holds(InetAddress ip, Domain to, Instant now) {
        return tag.isEmpty() && inScope(ip, to, now);
    }

    /** Whether this pause holds a message with these {@code tags} from {@code ip} to {@code to} at {@code now}. */
    public boolean holds(InetAddress ip, Domain to, java.util.List<String> tags, Instant now) {
        return tag.map(tags::contains).orElse(true) && inScope(ip, to, now);
    }

    private boolean inScope(InetAddress ip, Domain to, Instant now) {
        return localIp.map(range -> range.contains(ip)).orElse(true)
                && domain.map(to::equals).orElse(true)
                && until.map(now::isBefore).orElse(true);
    }
}
