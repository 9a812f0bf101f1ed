package io.perpetua.bench;

import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One series of the daemon's Prometheus text: a gauge's value or where a histogram's quantile lies. */
record Metric(String scrape, String name, String labels) {

    /** The value of an unlabelled series such as a gauge; NaN if absent. */
    double value() {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$").matcher(scrape);
        return matcher.find() ? Double.parseDouble(matcher.group(2)) : Double.NaN;
    }

    /**
     * The upper bound, in milliseconds, of the histogram bucket holding quantile {@code q}: the
     * smallest bucket bound with at least that share of the observations at or below it.
     */
    double quantileBoundMillis(double q) {
        Pattern bucket = Pattern.compile("(?m)^" + Pattern.quote(name) + "_bucket\\{([^}]*)\\} (\\S+)$");
        Pattern bound = Pattern.compile("le=\"([^\"]+)\"");
        Matcher matcher = bucket.matcher(scrape);
        TreeMap<Double, Double> cumulative = new TreeMap<>();
        while (matcher.find()) {
            Matcher le = bound.matcher(matcher.group(1));
            if (matcher.group(1).contains(labels) && le.find() && !le.group(1).equals("+Inf")) {
                cumulative.put(Double.parseDouble(le.group(1)), Double.parseDouble(matcher.group(2)));
            }
        }
        Matcher total = Pattern.compile("(?m)^" + Pattern.quote(name) + "_count\\{([^}]*)\\} (\\S+)$").matcher(scrape);
        double count = Double.NaN;
        while (total.find()) {
            if (total.group(1).contains(labels)) {
                count = Double.parseDouble(total.group(2));
            }
        }
        for (var entry : cumulative.entrySet()) {
            if (entry.getValue() >= q * count) {
                return entry.getKey() * 1000;
            }
        }
        return Double.NaN;
    }
}
