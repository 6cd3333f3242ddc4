package dev.ferrymta.db.write;

/**
 * A response rule as the console or the API sends it (MailerQ's response patterns). A reply
 * matches when it has every one of {@code code}, {@code status} and {@code text} that is given; at
 * least one must be.
 *
 * @param name              1 to 100 characters, unique; automatic actions name it in their reason
 * @param code              a reply code or a prefix of one ({@code 421}, {@code 4}); blank: any
 * @param status            an enhanced status code (RFC 3463) or a prefix of one ({@code 4.7.28}, {@code 5.7.}); blank: any
 * @param text              a regular expression (Java syntax, case-insensitive) found in the reply text; blank: any
 * @param domain            only replies for recipients of this domain; blank: any domain
 * @param action            {@code suspend}, {@code backoff}, {@code temporary}, {@code permanent} or {@code classify}
 * @param scope             what a suspension or back-off holds: {@code ip+domain} (default), {@code ip+provider}
 *                          (every domain of the recipient domain's provider group) or {@code ip}
 * @param minutes           how long a suspension or back-off lasts, 1 to 10080; required for those two
 * @param messagesPerMinute a back-off's cap on messages per minute
 * @param maxConnections    a back-off's cap on open connections
 * @param category          the bounce category the result gets ({@code rate-limit}); required for {@code classify}
 * @param note              the operator's note, at most 500 characters
 * @param provider          only replies for recipients of a domain of this provider group; blank: any
 */
public record ResponseRuleInput(String name, String code, String status, String text, String domain, String action, String scope,
        Integer minutes, Integer messagesPerMinute, Integer maxConnections, String category, String note, String provider) {

    /** A rule for any provider. */
    public ResponseRuleInput(String name, String code, String status, String text, String domain, String action, String scope,
            Integer minutes, Integer messagesPerMinute, Integer maxConnections, String category, String note) {
        this(name, code, status, text, domain, action, scope, minutes, messagesPerMinute, maxConnections, category, note, null);
    }
}
