package dev.ferrymta.testing.dns;

import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/** Turns the names a test writes into absolute DNS names. */
final class Names {

  private Names() {}

  /**
   * Parses {@code text} as an absolute name; {@code "example.test"} and {@code "example.test."}
   * give the same name, so a test need not care about the trailing dot.
   */
  static Name absolute(String text) {
    try {
      return Name.fromString(text, Name.root);
    } catch (TextParseException e) {
      throw new IllegalArgumentException(
          "not a DNS name: \"" + text + "\" (" + e.getMessage() + ")", e);
    }
  }
}
