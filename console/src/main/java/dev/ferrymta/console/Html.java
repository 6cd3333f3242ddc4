package dev.ferrymta.console;

/** Escaping for text put into HTML, so that a domain name or a peer's announce is shown as text. */
public final class Html {

    private Html() {
    }

    /** Escapes the five characters that matter in element content and quoted attributes. */
    public static String escape(String text) {
        var out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
