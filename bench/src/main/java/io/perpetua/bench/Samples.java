package io.perpetua.bench;

import java.util.ArrayList;
import java.util.List;

/** Durations measured for one quantity, in milliseconds, with the statistics the report prints. */
final class Samples {

    private final String name;
    private final List<Double> millis = new ArrayList<>();

    Samples(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    void add(double value) {
        millis.add(value);
    }

    /** Records the time since {@code startNanos} (from {@link System#nanoTime()}). */
    void since(long startNanos) {
        add((System.nanoTime() - startNanos) / 1e6);
    }

    int count() {
        return millis.size();
    }

    double median() {
        return percentile(50);
    }

    /** Nearest-rank percentile. */
    double percentile(double p) {
        if (millis.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = millis.stream().sorted().toList();
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    /** Each sample minus {@code baseline}: the overhead over a reference measured in the same run. */
    Samples minus(String newName, double baseline) {
        Samples overhead = new Samples(newName);
        millis.forEach(value -> overhead.add(value - baseline));
        return overhead;
    }
}
