package dev.ferrymta.db.write;

import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * Checks that a text is one unencrypted PKCS#8 PEM private key that DKIM can sign with, and
 * re-encodes it in a canonical form. A key that does not parse is refused now, in the form, not
 * at the first message the relay tries to sign. Messages never repeat the key.
 */
final class PrivateKeyPem {

    /** RFC 8301: verifiers must not accept shorter RSA keys. */
    static final int MIN_RSA_BITS = 1024;

    private static final String BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String END = "-----END PRIVATE KEY-----";
    private static final String CONVERT = "convert it with: openssl pkcs8 -topk8 -nocrypt -in key.pem";

    private PrivateKeyPem() {
    }

    /**
     * The key in canonical PEM: the markers, base64 in lines of 64, a final newline.
     *
     * @throws IllegalArgumentException saying what is wrong, without the key
     */
    static String canonical(String text) {
        var pem = text.strip().replace("\r\n", "\n");
        if (pem.startsWith("-----BEGIN RSA PRIVATE KEY-----")) {
            throw new IllegalArgumentException("is a PKCS#1 RSA key ('BEGIN RSA PRIVATE KEY'); PKCS#8 is needed: " + CONVERT);
        }
        if (pem.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new IllegalArgumentException("is encrypted; store it without a passphrase: " + CONVERT);
        }
        if (pem.startsWith("-----BEGIN PUBLIC KEY-----")) {
            throw new IllegalArgumentException("is a public key; the private key is needed");
        }
        if (!pem.startsWith(BEGIN) || !pem.endsWith(END)) {
            throw new IllegalArgumentException("must be a PEM private key from '" + BEGIN + "' to '" + END + "'");
        }
        var body = pem.substring(BEGIN.length(), pem.length() - END.length());
        if (body.contains("-----")) {
            throw new IllegalArgumentException("must hold exactly one private key");
        }
        byte[] der;
        try {
            der = Base64.getDecoder().decode(body.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not valid base64 between the PEM markers");
        }
        checkKey(der);
        return BEGIN + "\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n" + END + "\n";
    }

    private static void checkKey(byte[] der) {
        var spec = new PKCS8EncodedKeySpec(der);
        try {
            var key = KeyFactory.getInstance("RSA").generatePrivate(spec);
            int bits = ((RSAPrivateKey) key).getModulus().bitLength();
            if (bits < MIN_RSA_BITS) {
                throw new IllegalArgumentException("is a %d-bit RSA key; DKIM needs at least %d bits (2048 recommended)"
                        .formatted(bits, MIN_RSA_BITS));
            }
            return;
        } catch (InvalidKeySpecException e) {
            // Not RSA: try Ed25519 below.
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no RSA key factory", e);
        }
        try {
            KeyFactory.getInstance("Ed25519").generatePrivate(spec);
        } catch (InvalidKeySpecException e) {
            throw new IllegalArgumentException("is not an RSA or Ed25519 private key");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no Ed25519 key factory", e);
        }
    }
}
