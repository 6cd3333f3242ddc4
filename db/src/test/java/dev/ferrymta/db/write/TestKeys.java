package dev.ferrymta.db.write;

import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.util.Base64;

/** PEM keys made fresh for the tests, so no private key sits in the repository. */
final class TestKeys {

    static final String RSA_2048 = pkcs8("RSA", 2048);
    static final String ED25519 = pkcs8("Ed25519", 0);

    private TestKeys() {
    }

    /** A PKCS#8 PEM private key, wrapped at 64 characters as openssl writes it. */
    static String pkcs8(String algorithm, int bits) {
        try {
            var generator = KeyPairGenerator.getInstance(algorithm);
            if (bits > 0) {
                generator.initialize(bits);
            }
            return pem("PRIVATE KEY", generator.generateKeyPair().getPrivate().getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }
}
