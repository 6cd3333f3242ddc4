package dev.ferrymta.db.write;

/**
 * What a successful settings write left behind.
 *
 * @param id       the row written (for a pool IP, the pool)
 * @param revision the row's revision after the write, to send with the next update; for a delete,
 *                 the revision the row had when it was deleted
 * @param version  the {@code config_version} this write created
 */
public record WriteResult(long id, int revision, long version) {
}
