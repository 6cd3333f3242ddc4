package dev.ferrymta.testing.dns;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The records a test has registered, keyed by owner name. Safe to change while queries are being
 * answered; every method holds the zone's lock, which is cheap at test scale.
 */
final class Zone {

  // Name's equals and hashCode ignore case, so "Example.TEST." and "example.test." share a key.
  private final Map<Name, List<Record>> recordsByName = new HashMap<>();

  /**
   * Adds a record. Re-adding one with the same data replaces it in place, so a test can change a
   * TTL without reordering the records it registered.
   */
  synchronized void add(Record record) {
    List<Record> records =
        recordsByName.computeIfAbsent(record.getName(), name -> new ArrayList<>());
    // Record.equals compares owner, type, class and data but not the TTL.
    int existing = records.indexOf(record);
    if (existing >= 0) {
      records.set(existing, record);
    } else {
      records.add(record);
    }
  }

  synchronized void remove(Name name, int type) {
    List<Record> records = recordsByName.get(name);
    if (records != null) {
      records.removeIf(record -> record.getType() == type);
      if (records.isEmpty()) {
        recordsByName.remove(name);
      }
    }
  }

  synchronized void remove(Name name) {
    recordsByName.remove(name);
  }

  synchronized void clear() {
    recordsByName.clear();
  }

  synchronized ZoneAnswer answer(Name name, int type) {
    List<Record> atName = recordsByName.getOrDefault(name, List.of());
    List<Record> matching =
        atName.stream().filter(record -> type == Type.ANY || record.getType() == type).toList();
    if (!matching.isEmpty()) {
      return new ZoneAnswer.Found(matching);
    }
    // An alias answers every type; the resolver then asks again for the target itself.
    List<Record> alias = atName.stream().filter(record -> record.getType() == Type.CNAME).toList();
    if (!alias.isEmpty()) {
      return new ZoneAnswer.Found(alias);
    }
    if (!atName.isEmpty() || hasNamesBelow(name)) {
      // A name with records only further down (an empty non-terminal) exists too (RFC 8020).
      return new ZoneAnswer.NoData();
    }
    return new ZoneAnswer.NxDomain();
  }

  private boolean hasNamesBelow(Name name) {
    return recordsByName.keySet().stream().anyMatch(owner -> owner.subdomain(name));
  }
}
