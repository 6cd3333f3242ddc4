package dev.ferrymta.relay.bounce;

/**
 * A text that a regular expression may read only so many characters of: past the budget, reading
 * throws, so a pattern that backtracks catastrophically on a hostile reply ends in bounded time.
 */
final class BoundedText implements CharSequence {

    /** Thrown when the budget is spent. */
    static final class Exhausted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Exhausted() {
            super("regular expression budget exhausted", null, false, false);
        }
    }

    private final String text;
    private final int[] left;

    BoundedText(String text, int budget) {
        this(text, new int[] {budget});
    }

    private BoundedText(String text, int[] left) {
        this.text = text;
        this.left = left;
    }

    @Override
    public char charAt(int index) {
        if (--left[0] < 0) {
            throw new Exhausted();
        }
        return text.charAt(index);
    }

    @Override
    public int length() {
        return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return new BoundedText(text.substring(start, end), left);
    }

    @Override
    public String toString() {
        return text;
    }
}
