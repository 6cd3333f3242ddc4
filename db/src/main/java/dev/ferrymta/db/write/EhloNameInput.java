package dev.ferrymta.db.write;

/**
 * An EHLO name as the console sends it.
 *
 * @param localIp the local address it is for (one address)
 * @param name    a host name of two labels or more, ideally the address's reverse DNS name
 */
public record EhloNameInput(String localIp, String name) {
}
