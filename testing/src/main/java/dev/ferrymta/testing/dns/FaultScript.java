package dev.ferrymta.testing.dns;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.xbill.DNS.Name;

/**
 * The faults and delays a test has scripted, per name and optionally per type. A fault for one
 * type wins over a fault for the whole name, so a test can break only the AAAA lookups of a host.
 */
final class FaultScript {

  // Record types are 16-bit unsigned, so -1 can never clash with a real one.
  private static final int EVERY_TYPE = -1;

  private record Key(Name name, int type) {}

  private final Map<Key, Fault> faults = new ConcurrentHashMap<>();
  private final Map<Name, Duration> delays = new ConcurrentHashMap<>();

  void script(Name name, Fault fault) {
    faults.put(new Key(name, EVERY_TYPE), fault);
  }

  void script(Name name, int type, Fault fault) {
    faults.put(new Key(name, type), fault);
  }

  void delay(Name name, Duration delay) {
    delays.put(name, delay);
  }

  Optional<Fault> faultFor(Name name, int type) {
    Fault forType = faults.get(new Key(name, type));
    return Optional.ofNullable(forType != null ? forType : faults.get(new Key(name, EVERY_TYPE)));
  }

  Duration delayFor(Name name) {
    return delays.getOrDefault(name, Duration.ZERO);
  }

  /** Forgets every fault and the delay scripted for {@code name}, whatever the type. */
  void heal(Name name) {
    faults.keySet().removeIf(key -> key.name().equals(name));
    delays.remove(name);
  }

  void clear() {
    faults.clear();
    delays.clear();
  }
}
