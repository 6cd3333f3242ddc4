package dev.ferrymta.relay.dkim;

import dev.ferrymta.relay.dns.DnsResolver;
import dev.ferrymta.relay.settings.DkimKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * Checks, for the console, whether each stored DKIM key is published and matches, through Ferry's
 * own resolver ({@code dns-server} when set). Lookups run in the background, at most one per key
 * every {@link #RECHECK}; a page reads the last answer and never waits on DNS. Thread-safe.
 */
public final class DkimPublicationChecks implements AutoCloseable {

    /** How long an answer is kept before the key is looked up again. */
    static final Duration RECHECK = Duration.ofMinutes(1);

    private record Entry(Instant at, DkimPublication.Check check) {
    }

    private final DnsResolver dns;
    private final Clock clock;
    private final ConcurrentHashMap<String, Entry> checked = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Boolean> asking = new ConcurrentHashMap<>();
    private final ExecutorService lookups = Executors.newVirtualThreadPerTaskExecutor();

    public DkimPublicationChecks(DnsResolver dns, Clock clock) {
        this.dns = dns;
        this.clock = clock;
    }

    /** The last answer for {@code stored}, asking again in the background when it is old or missing. */
    public Optional<DkimPublication.Check> status(DkimKey stored) {
        var id = id(stored);
        var entry = checked.get(id);
        if ((entry == null || entry.at().plus(RECHECK).isBefore(clock.instant())) && asking.putIfAbsent(id, true) == null) {
            try {
                lookups.execute(() -> lookUp(stored, id));
            } catch (RejectedExecutionException closed) {
                asking.remove(id);
            }
        }
        return Optional.ofNullable(entry).map(Entry::check);
    }

    /** The TXT record to publish for {@code stored}; empty when the key cannot be parsed. */
    public Optional<String> record(DkimKey stored) {
        try {
            var key = SigningKey.parse(stored.domain(), stored.selector(), stored.privateKeyPem());
            return Optional.of(DkimPublication.name(key) + " TXT \"" + DkimPublication.record(key) + "\"");
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private void lookUp(DkimKey stored, String id) {
        try {
            var key = SigningKey.parse(stored.domain(), stored.selector(), stored.privateKeyPem());
            checked.put(id, new Entry(clock.instant(), DkimPublication.check(key, dns.txt(DkimPublication.name(key)))));
        } catch (RuntimeException e) {
            checked.put(id, new Entry(clock.instant(), new DkimPublication.Check(DkimPublication.State.LOOKUP_FAILED, e.getMessage())));
        } finally {
            asking.remove(id);
        }
    }

    private static String id(DkimKey stored) {
        return stored.id() + "/" + stored.revision();
    }

    @Override
    public void close() {
        lookups.shutdownNow();
    }
}
