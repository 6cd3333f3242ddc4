package dev.ferrymta.relay.dkim;

import dev.ferrymta.relay.dns.DnsAnswer;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * Whether a DKIM key's public half is published where receivers look for it,
 * {@code <selector>._domainkey.<domain>} TXT, and what to publish: the most common DKIM mistake
 * is a key that signs and a record that is missing or holds another key. Pure functions.
 */
public final class DkimPublication {

    private DkimPublication() {
    }

    /** What the DNS says about a key. */
    public enum State {
        MATCHES("published, matches"),
        MISMATCH("published, does not match this key"),
        NOT_PUBLISHED("not published"),
        LOOKUP_FAILED("lookup failed");

        private final String label;

        State(String label) {
            this.label = label;
        }

        /** As the console shows it. */
        public String label() {
            return label;
        }
    }

    /** The verdict, with what the DNS answered when it helps. */
    public record Check(State state, String detail) {
    }

    /** The name the key is published at. */
    public static String name(SigningKey key) {
        return key.selector() + "._domainkey." + key.domain().name();
    }

    /** The TXT record to publish: {@code v=DKIM1; k=rsa; p=...} (RFC 6376), {@code k=ed25519} with the raw key (RFC 8463). */
    public static String record(SigningKey key) {
        return "v=DKIM1; k=" + (key.algorithm() == SigningKey.Algorithm.RSA_SHA256 ? "rsa" : "ed25519") + "; p=" + publicKey(key);
    }

    /** Compares what the DNS answered for {@link #name} with the key. */
    public static Check check(SigningKey key, DnsAnswer<String> answer) {
        return switch (answer) {
            case DnsAnswer.Records<String> records -> {
                var expected = publicKey(key);
                var published = records.records().stream().map(DkimPublication::publishedKey).filter(p -> !p.isEmpty()).toList();
                if (published.isEmpty()) {
                    yield new Check(State.NOT_PUBLISHED, "TXT records at " + name(key) + " hold no DKIM key");
                }
                yield published.contains(expected) ? new Check(State.MATCHES, "")
                        : new Check(State.MISMATCH, "the DNS has p=" + shorten(published.getFirst()));
            }
            case DnsAnswer.NoRecords<String> none -> new Check(State.NOT_PUBLISHED, "no TXT record at " + name(key));
            case DnsAnswer.NoSuchName<String> none -> new Check(State.NOT_PUBLISHED, name(key) + " does not exist");
            case DnsAnswer.Failure<String> failure -> new Check(State.LOOKUP_FAILED, failure.reason());
        };
    }

    /** The p= value of a TXT record, whitespace removed; empty when it is no DKIM key record. */
    static String publishedKey(String txt) {
        for (var tag : txt.split(";")) {
            var parts = tag.split("=", 2);
            if (parts.length == 2 && parts[0].strip().equals("p")) {
                return parts[1].replaceAll("\\s", "");
            }
        }
        return "";
    }

    /** The public key as DKIM publishes it, base64. */
    static String publicKey(SigningKey key) {
        try {
            return switch (key.algorithm()) {
                case RSA_SHA256 -> {
                    var rsa = (RSAPrivateCrtKey) key.key();
                    var pub = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
                    yield Base64.getEncoder().encodeToString(pub.getEncoded());
                }
                case ED25519_SHA256 -> {
                    // The PKCS#8 encoding ends with the 32-byte seed; the same seed gives the same key pair.
                    var encoded = key.key().getEncoded();
                    var seed = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
                    var generator = KeyPairGenerator.getInstance("Ed25519");
                    generator.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
                        @Override
                        public void nextBytes(byte[] bytes) {
                            System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
                        }
                    });
                    var pub = generator.generateKeyPair().getPublic().getEncoded();
                    yield Base64.getEncoder().encodeToString(Arrays.copyOfRange(pub, pub.length - 32, pub.length));
                }
            };
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalStateException("cannot derive the public key of " + key + ": " + e.getMessage(), e);
        }
    }

    private static String shorten(String text) {
        return text.length() > 24 ? text.substring(0, 24) + "..." : text;
    }
}
