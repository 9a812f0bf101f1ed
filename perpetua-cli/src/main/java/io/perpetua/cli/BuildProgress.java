package io.perpetua.cli;

import io.perpetua.client.TemplateInfo;
import io.perpetua.client.TemplateState;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * How long a template has been building, shown on one line of standard error that is rewritten
 * each second while it builds and ended with how the build ended; quiet ones show nothing. Given
 * every state the SDK fetches while it waits, it keeps the last one.
 */
final class BuildProgress implements Consumer<TemplateInfo> {

    private final PrintStream err;
    private final String name;
    private final boolean quiet;
    private final long started = System.nanoTime();
    private TemplateInfo last;
    private long shown = -1;

    BuildProgress(PrintStream err, String name, boolean quiet) {
        this.err = err;
        this.name = name;
        this.quiet = quiet;
    }

    /** Takes the state just fetched, and shows the time when a second more has passed. */
    @Override
    public void accept(TemplateInfo template) {
        last = template;
        long seconds = seconds();
        if (!quiet && template.state() == TemplateState.BUILDING && seconds != shown) {
            shown = seconds;
            err.print("\rbuilding template " + name + ": " + seconds + " s");
            err.flush();
        }
    }

    /** The last state fetched, or null when none was. */
    TemplateInfo last() {
        return last;
    }

    /** Ends the line with how the build ended (ready, failed, or still building), if a state was fetched. */
    void done() {
        if (quiet || last == null) {
            return;
        }
        String outcome = switch (last.state()) {
            case READY -> "ready after ";
            case FAILED -> "failed after ";
            case BUILDING -> "still building after ";
        };
        err.println("\rbuilding template " + name + ": " + outcome + seconds() + " s");
    }

    private long seconds() {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
    }
}
