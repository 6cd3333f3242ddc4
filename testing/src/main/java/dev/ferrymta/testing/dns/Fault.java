package dev.ferrymta.testing.dns;

/** How the responder misbehaves for a scripted name instead of answering from the zone. */
sealed interface Fault {

  /** Answer with this response code and no records, for example SERVFAIL or REFUSED. */
  record Respond(int rcode) implements Fault {}

  /** Drop the query, so the resolver times out. */
  record Silence() implements Fault {}
}
