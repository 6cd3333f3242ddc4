package dev.ferrymta.testing.dns;

import java.util.List;
import org.xbill.DNS.Record;

/** What the zone holds for one question, before any fault is applied. */
sealed interface ZoneAnswer {

  /** The records that answer the question, in the order the test registered them. */
  record Found(List<Record> records) implements ZoneAnswer {
    public Found {
      records = List.copyOf(records);
    }
  }

  /** The name exists but has no records of the type asked for. */
  record NoData() implements ZoneAnswer {}

  /** Nothing is registered at or below the name. */
  record NxDomain() implements ZoneAnswer {}
}
