package dev.ferrymta.db.write;

/** A settings row's id and revision after a change, before the version is known. */
record Row(long id, int revision) {
}
