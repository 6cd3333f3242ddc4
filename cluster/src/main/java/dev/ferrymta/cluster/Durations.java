package dev.ferrymta.cluster;

import java.time.Duration;

/**
 * Durations as people read them in logs and on the console: {@code 8 days 2 h}, {@code 10 min 3 s},
 * {@code 250 ms}; from a second on, rounded to whole seconds.
 */
final class Durations {

    private Durations() {
    }

    /** The two largest units of a non-negative duration; negative ones get a leading minus. */
    static String words(Duration duration) {
        if (duration.isNegative()) {
            return "-" + words(duration.negated());
        }
        if (duration.compareTo(Duration.ofSeconds(1)) >= 0) {
            // Whole seconds: a clock 10 minutes ahead, seen a few milliseconds later, is 10 min, not 9 min 59 s.
            duration = Duration.ofSeconds(Math.round(duration.toMillis() / 1000.0));
        }
        long days = duration.toDays();
        long hours = duration.toHoursPart();
        long minutes = duration.toMinutesPart();
        long seconds = duration.toSecondsPart();
        if (days > 0) {
            return days + (days == 1 ? " day" : " days") + (hours > 0 ? " " + hours + " h" : "");
        }
        if (hours > 0) {
            return hours + " h" + (minutes > 0 ? " " + minutes + " min" : "");
        }
        if (minutes > 0) {
            return minutes + " min" + (seconds > 0 ? " " + seconds + " s" : "");
        }
        if (seconds > 0) {
            return seconds + " s";
        }
        return duration.toMillis() + " ms";
    }
}
