package io.perpetua.cli;

import picocli.CommandLine.Option;

/** {@code --output text|json}, for the commands that print what the daemon answered. */
final class OutputOption {

    enum Format { TEXT, JSON }

    @Option(names = "--output", paramLabel = "FORMAT", description = "text or json (default: text).")
    private Format format = Format.TEXT;

    boolean json() {
        return format == Format.JSON;
    }
}
