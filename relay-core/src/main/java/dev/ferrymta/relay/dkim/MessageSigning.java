package dev.ferrymta.relay.dkim;

import dev.ferrymta.relay.settings.Settings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Signs the messages a lane sends with the keys of the shared settings (chosen by the author's
 * domain) and any the message brings itself, no two with the same {@code d=} and {@code s=}.
 * The keys of a settings snapshot are parsed once, on the first message after it is in force.
 * Thread-safe.
 */
public final class MessageSigning {

    private final AtomicReference<DkimKeyring> keyring = new AtomicReference<>(DkimKeyring.EMPTY);

    /**
     * The message signed, as it goes on the wire.
     *
     * @param message     the fitted message, CRLF line ends
     * @param ownKeys     keys the message brings (MailerQ's {@code dkim} property), signing first
     * @param settings    the snapshot in force
     */
    public DkimSigner.Signed sign(byte[] message, List<SigningKey> ownKeys, Settings settings, Instant now) {
        var ring = keyring.get();
        if (ring.version() != settings.version()) {
            ring = DkimKeyring.of(settings);
            keyring.set(ring);
        }
        var keys = new ArrayList<>(ownKeys);
        // Most senders without keys in the settings: no need to read the From header at all.
        var author = ring.isEmpty() ? Optional.<dev.ferrymta.relay.mail.Domain>empty() : DkimKeyring.authorDomain(message);
        if (author.isPresent()) {
            for (var key : ring.forAuthor(author.get())) {
                boolean duplicate = keys.stream().anyMatch(k -> k.domain().equals(key.domain()) && k.selector().equals(key.selector()));
                if (!duplicate) {
                    keys.add(key);
                }
            }
        }
        return DkimSigner.sign(message, keys, now);
    }
}
