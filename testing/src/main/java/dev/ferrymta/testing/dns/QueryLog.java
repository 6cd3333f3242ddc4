package dev.ferrymta.testing.dns;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** What reached the responder: every well-formed question in arrival order, and a count of junk. */
final class QueryLog {

  private final List<DnsQuery> queries = new ArrayList<>();
  private final AtomicInteger malformed = new AtomicInteger();

  synchronized void received(DnsQuery query) {
    queries.add(query);
  }

  void malformed() {
    malformed.incrementAndGet();
  }

  synchronized List<DnsQuery> queries() {
    return List.copyOf(queries);
  }

  synchronized int count() {
    return queries.size();
  }

  synchronized long count(DnsQuery query) {
    return queries.stream().filter(query::equals).count();
  }

  int malformedCount() {
    return malformed.get();
  }

  synchronized void clear() {
    queries.clear();
    malformed.set(0);
  }
}
