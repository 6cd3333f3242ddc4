package dev.ferrymta.relay.bounce;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which refusing replies a rule is about: a prefix of the reply code, a prefix of the enhanced
 * status code (RFC 3463) and a regular expression found in the text, each optional, all given
 * ones required. Shared by the bounce rules and the response rules.
 *
 * @param code   a prefix of the reply code ({@code "5"}, {@code "421"}); empty: any, or none
 * @param status a prefix of the enhanced status code ({@code "5.1.1"}, {@code "4.7."}); empty: any
 * @param text   a regular expression found anywhere in the reply text, case-insensitive; empty: any
 */
public record ReplyMatch(String code, String status, Optional<Pattern> text) {

    /** How many characters an expression may look at for one reply, at most. */
    static final int MATCH_BUDGET = 200_000;

    /**
     * A match from its parts as written.
     *
     * @throws IllegalArgumentException naming the part at fault: a code or status that is no
     *                                  prefix of one, an invalid expression, nothing to match
     */
    public static ReplyMatch of(String code, String status, String text) {
        if (!code.matches("([245]\\d{0,2})?")) {
            throw new IllegalArgumentException("code: '" + code + "' is not a reply code or a prefix of one (5, 55, 550)");
        }
        if (!status.matches("([245](\\.(\\d{1,3}(\\.(\\d{1,3})?)?)?)?)?")) {
            throw new IllegalArgumentException("status: '" + status + "' is not an enhanced status code or a prefix of one (5.1.1, 4.7.)");
        }
        Optional<Pattern> pattern = Optional.empty();
        if (!text.isEmpty()) {
            try {
                pattern = Optional.of(Pattern.compile(text, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("text: not a valid regular expression: " + e.getDescription());
            }
        }
        if (code.isEmpty() && status.isEmpty() && pattern.isEmpty()) {
            throw new IllegalArgumentException("a rule needs a code, a status or a text to match");
        }
        return new ReplyMatch(code, status, pattern);
    }

    /**
     * Whether a reply matches. An expression that looks at more than {@link #MATCH_BUDGET}
     * characters (catastrophic backtracking on a hostile text) does not match.
     */
    boolean matches(OptionalInt replyCode, Optional<String> replyStatus, String replyText) {
        if (!code.isEmpty() && (replyCode.isEmpty() || !String.valueOf(replyCode.getAsInt()).startsWith(code))) {
            return false;
        }
        if (!status.isEmpty() && (replyStatus.isEmpty() || !replyStatus.get().startsWith(status))) {
            return false;
        }
        if (text.isEmpty()) {
            return true;
        }
        try {
            return text.get().matcher(new BoundedText(replyText, MATCH_BUDGET)).find();
        } catch (BoundedText.Exhausted e) {
            return false;
        }
    }
}
