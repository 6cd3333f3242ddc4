package dev.ferrymta.relay.dkim;

import dev.ferrymta.relay.mail.Domain;
import dev.ferrymta.relay.settings.Settings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DKIM keys of one settings snapshot, parsed once, by domain; and which of them sign a
 * message: those of the author's domain (the {@code From:} header's), else of its closest parent
 * domain that has keys. Every key found signs, so dual RSA and Ed25519 signing and a rotation with
 * two selectors both work. Immutable.
 */
public final class DkimKeyring {

    private static final Logger log = LoggerFactory.getLogger(DkimKeyring.class);

    /** No keys: nothing is signed. */
    public static final DkimKeyring EMPTY = new DkimKeyring(-1, Map.of());

    private final long version;
    private final Map<Domain, List<SigningKey>> keys;

    private DkimKeyring(long version, Map<Domain, List<SigningKey>> keys) {
        this.version = version;
        this.keys = keys;
    }

    /** Parses the snapshot's keys; one the database holds but cannot be parsed is left out and logged. */
    public static DkimKeyring of(Settings settings) {
        var byDomain = new HashMap<Domain, List<SigningKey>>();
        for (var stored : settings.dkimKeys()) {
            try {
                byDomain.computeIfAbsent(stored.domain(), d -> new ArrayList<>())
                        .add(SigningKey.parse(stored.domain(), stored.selector(), stored.privateKeyPem()));
            } catch (IllegalArgumentException e) {
                log.warn("DKIM key {} cannot be used: {}", stored, e.getMessage());
            }
        }
        var frozen = new HashMap<Domain, List<SigningKey>>();
        byDomain.forEach((domain, list) -> frozen.put(domain, List.copyOf(list)));
        return new DkimKeyring(settings.version(), Map.copyOf(frozen));
    }

    /** The settings version these keys are of. */
    public long version() {
        return version;
    }

    /** Whether the settings hold no usable key at all: then no message needs its author looked up. */
    public boolean isEmpty() {
        return keys.isEmpty();
    }

    /** The keys for mail whose author is at {@code domain}: its own, else its closest parent's. */
    public List<SigningKey> forAuthor(Domain domain) {
        var name = domain.name();
        while (true) {
            var found = keys.get(new Domain(name));
            if (found != null) {
                return found;
            }
            int dot = name.indexOf('.');
            var parent = dot < 0 ? "" : name.substring(dot + 1);
            if (!Domain.isValid(parent)) {
                return List.of();
            }
            name = parent;
        }
    }

    /**
     * The domain of the message's author: the address in its first {@code From:} header field.
     * Empty when there is none or it is not an address.
     */
    public static Optional<Domain> authorDomain(byte[] message) {
        for (var field : DkimSigner.fields(java.util.Arrays.copyOfRange(message, 0, DkimSigner.headerEnd(message)))) {
            var text = new String(field, StandardCharsets.UTF_8);
            int colon = text.indexOf(':');
            if (colon < 0 || !text.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals("from")) {
                continue;
            }
            var value = text.substring(colon + 1).replace("\r\n", "").strip();
            int open = value.lastIndexOf('<');
            int close = value.lastIndexOf('>');
            var address = open >= 0 && close > open ? value.substring(open + 1, close) : value;
            int at = address.lastIndexOf('@');
            if (at < 0) {
                return Optional.empty();
            }
            try {
                return Optional.of(Domain.parse(address.substring(at + 1).strip()));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
