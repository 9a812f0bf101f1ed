package io.perpetua.bench;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One timer of the daemon's Prometheus text, read for its published quantiles. */
record Metric(String scrape, String name, String labels) {

    /** The quantile {@code q} of the timer, in milliseconds; NaN if the daemon does not publish it. */
    double quantileMillis(double q) {
        Pattern series = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$");
        Matcher matcher = series.matcher(scrape);
        while (matcher.find()) {
            String found = matcher.group(1);
            if (found.contains(labels) && found.contains("quantile=\"" + q + "\"")) {
                return Double.parseDouble(matcher.group(2)) * 1000;
            }
        }
        return Double.NaN;
    }
}
