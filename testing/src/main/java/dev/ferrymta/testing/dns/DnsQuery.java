package dev.ferrymta.testing.dns;

import java.util.Objects;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * One question that reached a {@link DnsResponder}: the name and the record type asked for.
 * Names compare case-insensitively, as in DNS.
 *
 * @param name the absolute name asked for
 * @param type the record type asked for, as a dnsjava {@link Type} constant
 */
public record DnsQuery(Name name, int type) {

  /** Rejects a missing or relative name, which no wire-format question can carry. */
  public DnsQuery {
    Objects.requireNonNull(name, "name");
    if (!name.isAbsolute()) {
      throw new IllegalArgumentException("query name must be absolute: " + name);
    }
  }

  /**
   * A query for {@code name}, given with or without its trailing dot.
   *
   * @param name for example {@code "example.test"}
   * @param type a dnsjava {@link Type} constant, for example {@link Type#MX}
   */
  public static DnsQuery of(String name, int type) {
    return new DnsQuery(Names.absolute(name), type);
  }

  @Override
  public String toString() {
    return name + " " + Type.string(type);
  }
}
