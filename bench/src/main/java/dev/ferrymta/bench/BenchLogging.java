package dev.ferrymta.bench;

/** Logging for the bench mains: warnings only, on standard error. */
final class BenchLogging {

    private BenchLogging() {
    }

    /**
     * Points Logback at {@code bench-logback.xml} unless told otherwise. The testing jar on the
     * class path carries a {@code logback-test.xml} (INFO on standard output), which Logback would
     * otherwise prefer. Call first thing in {@code main}, before any logger exists.
     */
    static void quiet() {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "bench-logback.xml");
        }
    }
}
