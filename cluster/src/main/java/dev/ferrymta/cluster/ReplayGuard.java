package dev.ferrymta.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;

/**
 * Remembers which forwards arrived, so that a copy published again (a replay) is known and
 * dropped, while each forward is delivered once. A forward is remembered until its validity ends
 * (its signing time plus the forward window), and at most {@code capacity} are remembered: past
 * that the oldest is forgotten first, and counted ({@link #forgottenEarly()}). Each is kept as a
 * 64-bit fingerprint of its replay key ({@link MessageSigner#replayKey}) and its end in
 * milliseconds, 24 to 32 bytes in all, so a million fit in about 32 MB; the arrays start small and
 * grow. Two different forwards share a fingerprint with a probability of about n²/2⁶⁵ (3·10⁻⁸ for
 * a million). Thread-safe. Not kept across restarts: an instance that restarts forgets what it saw.
 */
final class ReplayGuard {

    /** Forwards remembered at most by default. */
    static final int DEFAULT_CAPACITY = 1_000_000;

    private final int capacity;
    /** Open addressing with linear probing; 0 is an empty slot. */
    private long[] table = new long[2048];
    private int size;
    /** The fingerprints and their ends in arrival order, a ring of {@code ring.length} slots. */
    private long[] ring = new long[1024];
    private long[] ends = new long[1024];
    private int head;
    private long forgottenEarly;

    ReplayGuard(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Whether a forward with this key arrives for the first time; remembers it until {@code end}
     * either way (a copy seen again keeps the first end).
     *
     * @param key what {@link MessageSigner#replayKey} gave for it
     * @param end when its validity ends: later copies are refused as expired anyway
     * @param now the time now, to forget forwards whose validity ended
     */
    synchronized boolean firstTime(String key, Instant end, Instant now) {
        forgetEnded(now.toEpochMilli());
        long fingerprint = fingerprint(key);
        if (contains(fingerprint)) {
            return false;
        }
        if (size == capacity) {
            forgetOldest();
            forgottenEarly++;
        }
        if (size == ring.length) {
            grow();
        }
        int tail = (head + size) % ring.length;
        ring[tail] = fingerprint;
        ends[tail] = end.toEpochMilli();
        insert(fingerprint);
        size++;
        return true;
    }

    /** Forwards remembered now. */
    synchronized int size() {
        return size;
    }

    /** Forwards forgotten before their validity ended, because {@code capacity} were remembered. */
    synchronized long forgottenEarly() {
        return forgottenEarly;
    }

    private void forgetEnded(long now) {
        while (size > 0 && ends[head] <= now) {
            forgetOldest();
        }
    }

    private void forgetOldest() {
        delete(ring[head]);
        head = (head + 1) % ring.length;
        size--;
    }

    private void grow() {
        int length = Math.min(ring.length * 2, capacity);
        var newRing = new long[length];
        var newEnds = new long[length];
        for (int i = 0; i < size; i++) {
            newRing[i] = ring[(head + i) % ring.length];
            newEnds[i] = ends[(head + i) % ring.length];
        }
        ring = newRing;
        ends = newEnds;
        head = 0;
        var oldTable = table;
        table = new long[Integer.highestOneBit(length * 2 - 1) << 1];
        for (long fingerprint : oldTable) {
            if (fingerprint != 0) {
                insert(fingerprint);
            }
        }
    }

    private int slot(long fingerprint) {
        return (int) (mix(fingerprint) & (table.length - 1));
    }

    private boolean contains(long fingerprint) {
        for (int i = slot(fingerprint); table[i] != 0; i = (i + 1) & (table.length - 1)) {
            if (table[i] == fingerprint) {
                return true;
            }
        }
        return false;
    }

    private void insert(long fingerprint) {
        int i = slot(fingerprint);
        while (table[i] != 0) {
            if (table[i] == fingerprint) {
                return;
            }
            i = (i + 1) & (table.length - 1);
        }
        table[i] = fingerprint;
    }

    /** Removes with backward shifting, so no probe sequence is broken and no tombstones pile up. */
    private void delete(long fingerprint) {
        int mask = table.length - 1;
        int i = slot(fingerprint);
        while (table[i] != fingerprint) {
            if (table[i] == 0) {
                return;
            }
            i = (i + 1) & mask;
        }
        int gap = i;
        for (int j = (gap + 1) & mask; table[j] != 0; j = (j + 1) & mask) {
            int home = slot(table[j]);
            // Move table[j] into the gap when its home is not in the (cyclic) range (gap, j].
            boolean homeAfterGap = gap <= j ? home > gap && home <= j : home > gap || home <= j;
            if (!homeAfterGap) {
                table[gap] = table[j];
                gap = j;
            }
        }
        table[gap] = 0;
    }

    private static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        return x;
    }

    /** The first 8 bytes of the key's SHA-256, never 0 (0 marks an empty slot). */
    static long fingerprint(String key) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = value << 8 | (digest[i] & 0xff);
        }
        return value == 0 ? 1 : value;
    }

    @Override
    public synchronized String toString() {
        return "ReplayGuard[" + size + " of " + capacity + " remembered, " + forgottenEarly + " forgotten early]";
    }
}
