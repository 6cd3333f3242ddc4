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
 * @param provider the destination provider group ({@link Provider}) instead of a domain: every domain it hosts
 * @param since    when it was made (an automatic one extended keeps its first); empty when not known
 */
public record Pause(long id, int revision, Optional<IpRange> localIp, Optional<Domain> domain, Optional<Instant> until,
        String reason, Optional<String> tag, Optional<String> provider, Optional<Instant> since) {

    /** A pause whose start is not known. */
    public Pause(long id, int revision, Optional<IpRange> localIp, Optional<Domain> domain, Optional<Instant> until, String reason,
            Optional<String> tag, Optional<String> provider) {
        this(id, revision, localIp, domain, until, reason, tag, provider, Optional.empty());
    }

    /** A pause of every message of its scope. */
    public Pause(long id, int revision, Optional<IpRange> localIp, Optional<Domain> domain, Optional<Instant> until, String reason) {
        this(id, revision, localIp, domain, until, reason, Optional.empty(), Optional.empty());
    }

    /** A pause of a domain, or of any domain. */
    public Pause(long id, int revision, Optional<IpRange> localIp, Optional<Domain> domain, Optional<Instant> until, String reason,
            Optional<String> tag) {
        this(id, revision, localIp, domain, until, reason, tag, Optional.empty());
    }

    /** Whether this pause holds all sending from {@code ip} to {@code to} at {@code now}: an untagged pause of that scope. */
    public boolean holds(InetAddress ip, Domain to, Instant now) {
        return tag.isEmpty() && inScope(ip, to, Optional.empty(), now);
    }

    /** Whether this pause holds a message with these {@code tags} from {@code ip} to {@code to} at {@code now}. */
    public boolean holds(InetAddress ip, Domain to, java.util.List<String> tags, Instant now) {
        return holds(ip, to, Optional.empty(), tags, now);
    }

    /** Whether this pause holds a message with these {@code tags} from {@code ip} to {@code to}, a domain of {@code toProvider}. */
    public boolean holds(InetAddress ip, Domain to, Optional<String> toProvider, java.util.List<String> tags, Instant now) {
        return tag.map(tags::contains).orElse(true) && inScope(ip, to, toProvider, now);
    }

    private boolean inScope(InetAddress ip, Domain to, Optional<String> toProvider, Instant now) {
        return localIp.map(range -> range.contains(ip)).orElse(true)
                && domain.map(to::equals).orElse(true)
                && provider.map(p -> toProvider.map(p::equals).orElse(false)).orElse(true)
                && until.map(now::isBefore).orElse(true);
    }
}
