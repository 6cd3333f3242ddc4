package dev.ferrymta.db.write;

/**
 * A DKIM key as the console sends it.
 *
 * @param domain     the signing domain ({@code d=})
 * @param selector   the selector ({@code s=})
 * @param privateKey an unencrypted PKCS#8 PEM private key ({@code -----BEGIN PRIVATE KEY-----}),
 *                   RSA of 1024 bits or more, or Ed25519
 */
public record DkimKeyInput(String domain, String selector, String privateKey) {

    /** Keeps the private key out of logs. */
    @Override
    public String toString() {
        return "DkimKeyInput[domain=%s, selector=%s]".formatted(domain, selector);
    }
}
