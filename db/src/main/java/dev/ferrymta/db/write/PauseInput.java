package dev.ferrymta.db.write;

/**
 * A pause as the console sends it. Null or blank scope fields mean "any".
 *
 * @param localIp one local address or a network ({@code 192.0.2.0/24})
 * @param domain  the destination domain
 * @param until   an ISO-8601 instant ({@code 2030-01-31T18:00:00Z}) in the future; null or blank:
 *                until the pause is removed
 * @param reason  why, for the console; at most 500 characters
 * @param tag     holds only messages carrying this tag (MailerQ's {@code "tags"}), at most 200
 *                characters; null or blank: every message of the scope
 * @param provider a provider group instead of a domain: every domain it hosts
 */
public record PauseInput(String localIp, String domain, String until, String reason, String tag, String provider) {

    /** A pause of every message of its scope. */
    public PauseInput(String localIp, String domain, String until, String reason) {
        this(localIp, domain, until, reason, null, null);
    }

    /** A pause of a domain, or of any domain. */
    public PauseInput(String localIp, String domain, String until, String reason, String tag) {
        this(localIp, domain, until, reason, tag, null);
    }
}
