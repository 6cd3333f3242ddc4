package dev.ferrymta.relay.bounce;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * One row of the bounce rules: a reply that matches gets the category.
 *
 * @param category the category it gives
 * @param match    which replies
 * @param source   where the reply text is documented, or why the rule is there
 */
public record BounceRule(BounceCategory category, ReplyMatch match, String source) {

    /**
     * A rule from its parts as written.
     *
     * @throws IllegalArgumentException naming the part at fault: an unknown category, or a part
     *                                  of the match ({@link ReplyMatch#of})
     */
    public static BounceRule of(String category, String code, String status, String text, String source) {
        var parsed = BounceCategory.ofJson(category.strip()).orElseThrow(() -> new IllegalArgumentException(
                "category: '" + category + "' is not a bounce category (bad-mailbox, rate-limit, reputation, ...)"));
        return new BounceRule(parsed, ReplyMatch.of(code, status, text), source);
    }

    boolean matches(OptionalInt replyCode, Optional<String> replyStatus, String replyText) {
        return match.matches(replyCode, replyStatus, replyText);
    }
}
