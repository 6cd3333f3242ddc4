package dev.ferrymta.relay.settings;

import dev.ferrymta.relay.mail.Domain;

/**
 * A DKIM signing key for a sender domain.
 *
 * @param id            database id
 * @param revision      bumped by every change
 * @param domain        the signing domain ({@code d=})
 * @param selector      the selector ({@code s=})
 * @param privateKeyPem the private key, PKCS#8 PEM
 */
public record DkimKey(long id, int revision, Domain domain, String selector, String privateKeyPem) {

    /** Keeps the private key out of logs. */
    @Override
    public String toString() {
        return "DkimKey[id=%d, revision=%d, domain=%s, selector=%s]".formatted(id, revision, domain, selector);
    }
}
