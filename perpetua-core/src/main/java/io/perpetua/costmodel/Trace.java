package io.perpetua.costmodel;

import io.perpetua.error.InvalidInputException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A fleet's activity: sessions (one agent's sandbox each), each a series of bursts of work with
 * idle gaps between them. As CSV, one burst per line:
 * <pre>
 * session,start_seconds,duration_seconds
 * alice,0,45
 * alice,900,30
 * bob,120,60
 * </pre>
 * Starts count from the start of the trace; a session's bursts must not overlap. A header line
 * and lines starting with {@code #} are skipped.
 *
 * @param sessions the sessions, each with its bursts in order
 */
public record Trace(List<Session> sessions) {

    /** Most lines a trace may have, so that a model stays a quick computation. */
    static final int MAX_BURSTS = 1_000_000;

    /** One sandbox's work: bursts in order of their start. */
    public record Session(String name, List<Burst> bursts) {
    }

    /** A stretch of activity. */
    public record Burst(double start, double duration) {

        /** When the burst is over. */
        public double end() {
            return start + duration;
        }
    }

    /** Parses the CSV form; errors name the line. */
    public static Trace parse(String csv) {
        Map<String, List<Burst>> sessions = new LinkedHashMap<>();
        String[] lines = csv.split("\r?\n");
        int count = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#") || i == 0 && line.startsWith("session")) {
                continue;
            }
            InvalidInputException.check(++count <= MAX_BURSTS, "trace", "a trace may have at most " + MAX_BURSTS + " bursts");
            String[] fields = line.split(",");
            InvalidInputException.check(fields.length == 3, "trace", "line " + (i + 1) + " must be session,start_seconds,"
                    + "duration_seconds but was '" + abbreviate(line) + "'");
            String name = fields[0].strip();
            InvalidInputException.check(!name.isEmpty() && name.length() <= 128, "trace", "line " + (i + 1) + " names no session");
            double start = number(fields[1], i);
            double duration = number(fields[2], i);
            InvalidInputException.check(start >= 0 && duration > 0, "trace", "line " + (i + 1)
                    + ": a burst starts at 0 or later and lasts more than 0 seconds");
            sessions.computeIfAbsent(name, n -> new ArrayList<>()).add(new Burst(start, duration));
        }
        InvalidInputException.check(!sessions.isEmpty(), "trace", "the trace has no bursts");
        List<Session> parsed = new ArrayList<>();
        sessions.forEach((name, bursts) -> {
            bursts.sort(Comparator.comparingDouble(Burst::start));
            for (int i = 1; i < bursts.size(); i++) {
                InvalidInputException.check(bursts.get(i).start() >= bursts.get(i - 1).end(), "trace",
                        "session " + name + " has overlapping bursts at " + bursts.get(i).start() + " s");
            }
            parsed.add(new Session(name, List.copyOf(bursts)));
        });
        return new Trace(List.copyOf(parsed));
    }

    /** The CSV form, which {@link #parse} reads back. */
    public String toCsv() {
        StringBuilder csv = new StringBuilder("session,start_seconds,duration_seconds\n");
        for (Session session : sessions) {
            for (Burst burst : session.bursts()) {
                csv.append(session.name()).append(',').append(format(burst.start())).append(',').append(format(burst.duration())).append('\n');
            }
        }
        return csv.toString();
    }

    /** Active time over the time from each session's first burst to its last burst's end, over all sessions. */
    public double activeRatio() {
        double active = 0;
        double span = 0;
        for (Session session : sessions) {
            active += session.bursts().stream().mapToDouble(Burst::duration).sum();
            span += session.bursts().getLast().end() - session.bursts().getFirst().start();
        }
        return span == 0 ? 1 : active / span;
    }

    private static double number(String field, int line) {
        try {
            double value = Double.parseDouble(field.strip());
            if (Double.isFinite(value)) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidInputException("trace", "line " + (line + 1) + ": '" + abbreviate(field.strip()) + "' is not a number of seconds");
    }

    private static String format(double seconds) {
        return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : String.format(Locale.ROOT, "%.3f", seconds);
    }

    private static String abbreviate(String text) {
        return text.length() > 80 ? text.substring(0, 80) + "…" : text;
    }
}
