package dev.ferrymta.relay.dkim;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Signs a message with DKIM (RFC 6376; Ed25519 as RFC 8463 has it): computes each key's
 * {@code DKIM-Signature} header field over the message as it will be sent and puts them in
 * front. The body is canonicalized and hashed once per canonicalization, whatever the number of
 * keys. A pure function of the message, the keys and the time.
 */
public final class DkimSigner {

    /**
     * Signed when present, in this order; {@code from} is signed once more than it occurs, so a
     * second From cannot be added without breaking the signature (RFC 6376 section 8.15).
     */
    public static final List<String> DEFAULT_HEADERS = List.of("from", "to", "cc", "subject", "date", "message-id", "reply-to",
            "sender", "in-reply-to", "references", "mime-version", "content-type", "content-transfer-encoding",
            "list-id", "list-unsubscribe", "list-unsubscribe-post", "feedback-id");

    private static final byte[] CRLF = {'\r', '\n'};

    private DkimSigner() {
    }

    /** A signature made: for the results. */
    public record Applied(String domain, String selector, String algorithm) {
        @Override
        public String toString() {
            return "d=" + domain + " s=" + selector + " a=" + algorithm;
        }
    }

    /**
     * The message with one {@code DKIM-Signature} per key in front, and what was applied.
     *
     * @param message the message as it goes on the wire, CRLF line ends
     * @param now     the signing time ({@code t=})
     */
    public static Signed sign(byte[] message, List<SigningKey> keys, Instant now) {
        if (keys.isEmpty()) {
            return new Signed(message, List.of());
        }
        int split = headerEnd(message);
        var headerBytes = java.util.Arrays.copyOfRange(message, 0, split);
        var body = split + 2 <= message.length ? java.util.Arrays.copyOfRange(message, split + 2, message.length) : new byte[0];
        var fields = fields(headerBytes);
        Map<Canonicalization, String> bodyHashes = new HashMap<>();
        var out = new ByteArrayOutputStream(message.length + 1024 * keys.size());
        var applied = new ArrayList<Applied>();
        for (var key : keys) {
            if (!key.signsAt(now)) {
                // Past its fixed expiry (a retry after the time the message gave): a signature
                // with x= before t= would never verify (RFC 6376 section 3.5).
                continue;
            }
            var bodyHash = bodyHashes.computeIfAbsent(key.bodyCanon(), canon -> base64(sha256(canon.body(body))));
            out.writeBytes(signatureField(key, fields, bodyHash, now));
            applied.add(new Applied(key.domain().name(), key.selector(), key.algorithm().tag()));
        }
        out.writeBytes(message);
        return new Signed(out.toByteArray(), List.copyOf(applied));
    }

    /** The signed message and the signatures in it. */
    public record Signed(byte[] message, List<Applied> applied) {
    }

    /** One {@code DKIM-Signature} field, folded, with its CRLF. */
    static byte[] signatureField(SigningKey key, List<byte[]> fields, String bodyHash, Instant now) {
        var names = key.headers().isEmpty() ? DEFAULT_HEADERS : key.headers();
        var present = new ArrayList<String>();
        for (var name : names) {
            if (count(fields, name) > 0) {
                present.add(name);
            }
        }
        var signedNames = new ArrayList<String>();
        for (var name : present) {
            // Each instance, and From once more (over-signing): a nonexistent instance signs as nothing.
            int times = count(fields, name) + (name.equals("from") ? 1 : 0);
            for (int i = 0; i < times; i++) {
                signedNames.add(name);
            }
        }
        long t = now.getEpochSecond();
        var tags = new ArrayList<String>();
        tags.add("v=1");
        tags.add("a=" + key.algorithm().tag());
        tags.add("c=" + key.headerCanon().tag() + "/" + key.bodyCanon().tag());
        tags.add("d=" + key.domain().name());
        tags.add("s=" + key.selector());
        tags.add("t=" + t);
        key.expire().ifPresent(expiry -> tags.add("x=" + (t + expiry.toSeconds())));
        key.expiresAt().ifPresent(at -> tags.add("x=" + at.getEpochSecond()));
        tags.add("h=" + String.join(":", signedNames));
        tags.add("bh=" + bodyHash);
        var unsigned = fold("DKIM-Signature: ", tags) + ";\r\n\tb=";
        var data = headerData(fields, signedNames, (unsigned + "\r\n").getBytes(StandardCharsets.US_ASCII), key.headerCanon());
        var signature = base64(signature(key, data));
        return (unsigned + foldValue(signature) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * What a signature covers (RFC 6376 section 3.7): the signed header fields, canonicalized, in
     * the order of {@code h=}, each instance taken from the bottom up, then the signature's own
     * field with an empty {@code b=}, canonicalized, without its final CRLF.
     *
     * @param signatureField the DKIM-Signature field with its b= value empty, with its CRLF
     */
    static byte[] headerData(List<byte[]> fields, List<String> signedNames, byte[] signatureField, Canonicalization canon) {
        var data = new ByteArrayOutputStream();
        var used = new HashMap<String, Integer>();
        for (var name : signedNames) {
            int seen = used.merge(name, 1, Integer::sum);
            var field = instanceFromBottom(fields, name, seen);
            if (field != null) {
                data.writeBytes(canon.header(field));
            }
        }
        var own = canon.header(signatureField);
        data.write(own, 0, own.length - 2);
        return data.toByteArray();
    }

    /** The signature of the header data with one key (RFC 6376 section 3.7; RFC 8463 section 3). */
    static byte[] signature(SigningKey key, byte[] data) {
        try {
            return switch (key.algorithm()) {
                case RSA_SHA256 -> {
                    var rsa = SignatureProvider.signature("SHA256withRSA");
                    rsa.initSign(key.key());
                    rsa.update(data);
                    yield rsa.sign();
                }
                case ED25519_SHA256 -> {
                    // RFC 8463 section 3: PureEdDSA over the SHA-256 hash of the header data.
                    var ed = SignatureProvider.signature("Ed25519");
                    ed.initSign(key.key());
                    ed.update(sha256(data));
                    yield ed.sign();
                }
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing with " + key + " failed: " + e.getMessage(), e);
        }
    }

    /** Tags joined with "; " and folded before a tag when a line would pass 76 characters. */
    private static String fold(String start, List<String> tags) {
        var out = new StringBuilder(start);
        int lineLength = start.length();
        for (int i = 0; i < tags.size(); i++) {
            var tag = tags.get(i) + (i + 1 < tags.size() ? ";" : "");
            if (i > 0) {
                if (lineLength + 1 + tag.length() > 76) {
                    out.append("\r\n\t");
                    lineLength = 1;
                } else {
                    out.append(' ');
                    lineLength++;
                }
            }
            if (tag.startsWith("h=") && lineLength + tag.length() > 76) {
                // A long header list breaks after its colons.
                var parts = tag.split(":", -1);
                for (int p = 0; p < parts.length; p++) {
                    var part = parts[p] + (p + 1 < parts.length ? ":" : "");
                    if (lineLength + part.length() > 76 && lineLength > 1) {
                        out.append("\r\n\t");
                        lineLength = 1;
                    }
                    out.append(part);
                    lineLength += part.length();
                }
                continue;
            }
            out.append(tag);
            lineLength += tag.length();
        }
        return out.toString();
    }

    /** The b= value in lines of 72, each continuation starting with a tab. */
    private static String foldValue(String value) {
        var out = new StringBuilder();
        for (int i = 0; i < value.length(); i += 72) {
            if (i > 0) {
                out.append("\r\n\t");
            }
            out.append(value, i, Math.min(value.length(), i + 72));
        }
        return out.toString();
    }

    /** Where the header section ends: the index of the CRLF of the empty line, or the message's end. */
    static int headerEnd(byte[] message) {
        if (message.length >= 2 && message[0] == '\r' && message[1] == '\n') {
            return 0;
        }
        for (int i = 0; i + 3 < message.length; i++) {
            if (message[i] == '\r' && message[i + 1] == '\n' && message[i + 2] == '\r' && message[i + 3] == '\n') {
                return i + 2;
            }
        }
        return message.length;
    }

    /** The header fields, each with its folded lines and final CRLF. */
    static List<byte[]> fields(byte[] header) {
        var fields = new ArrayList<byte[]>();
        int start = 0;
        int i = 0;
        while (i < header.length) {
            int eol = i;
            while (eol + 1 < header.length && !(header[eol] == '\r' && header[eol + 1] == '\n')) {
                eol++;
            }
            int next = eol + 2;
            boolean continues = next < header.length && (header[next] == ' ' || header[next] == '\t');
            if (!continues) {
                fields.add(java.util.Arrays.copyOfRange(header, start, Math.min(next, header.length)));
                start = next;
            }
            i = next;
        }
        return fields;
    }

    private static String name(byte[] field) {
        int colon = 0;
        while (colon < field.length && field[colon] != ':') {
            colon++;
        }
        return new String(field, 0, colon, StandardCharsets.ISO_8859_1).strip().toLowerCase(Locale.ROOT);
    }

    private static int count(List<byte[]> fields, String name) {
        int n = 0;
        for (var field : fields) {
            if (name(field).equals(name)) {
                n++;
            }
        }
        return n;
    }

    /** The {@code nth} instance of {@code name} counting from the bottom (1 is the last), or null. */
    private static byte[] instanceFromBottom(List<byte[]> fields, String name, int nth) {
        int seen = 0;
        for (int i = fields.size() - 1; i >= 0; i--) {
            if (name(fields.get(i)).equals(name) && ++seen == nth) {
                return fields.get(i);
            }
        }
        return null;
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
