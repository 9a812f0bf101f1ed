package io.perpetua.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** The benchmark's printed result: one table of measurements, one of derived figures and goals. */
final class Report {

    private final List<Samples> measurements = new ArrayList<>();
    private final List<String> figures = new ArrayList<>();

    void add(Samples samples) {
        measurements.add(samples);
        System.out.printf("  measured %-62s p50 %8.1f ms  p99 %8.1f ms  (n=%d)%n", samples.name(), samples.median(),
                samples.percentile(99), samples.count());
    }

    void ratio(String name, double value, String goal) {
        figures.add(String.format("| %s | %.2f | %s |", name, value, goal));
    }

    void goal(String name, double millis, String goal) {
        figures.add(String.format("| %s | %.1f ms | %s |", name, millis, goal));
    }

    void value(String name, double value, String unit) {
        figures.add(String.format("| %s | %.2f %s | |", name, value, unit));
    }

    void print(PrintStream out) {
        out.println();
        out.println("| measurement (ms) | p50 | p99 | n |");
        out.println("|---|---:|---:|---:|");
        for (Samples samples : measurements) {
            out.printf("| %s | %.1f | %.1f | %d |%n", samples.name(), samples.median(), samples.percentile(99), samples.count());
        }
        out.println();
        out.println("| figure | value | goal |");
        out.println("|---|---:|---|");
        figures.forEach(out::println);
    }
}
