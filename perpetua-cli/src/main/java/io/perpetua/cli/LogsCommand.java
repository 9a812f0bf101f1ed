package io.perpetua.cli;

import io.perpetua.client.LogEvent;
import io.perpetua.client.LogPage;
import io.perpetua.client.Perpetua;
import io.perpetua.client.Process;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code perpetua sandbox logs}: what a background process wrote, its standard output to
 * standard output and its standard error to standard error; with {@code -f}, on as it writes,
 * until it exits. {@code --output json} prints the chunks instead (with {@code -f}, one per line).
 */
@Command(name = "logs", description = "Prints the output of a background process of a sandbox.")
final class LogsCommand implements Callable<Integer> {

    @Mixin
    private ApiOptions api;

    @Mixin
    private OutputOption output;

    @Parameters(index = "0", paramLabel = "ID", description = "The sandbox.")
    private String id;

    @Parameters(index = "1", paramLabel = "PROCESS_ID", description = "The process, as start or ps shows it.")
    private String processId;

    @Option(names = {"-f", "--follow"}, description = "Go on printing as the process writes, until it exits.")
    private boolean follow;

    private final Terminal terminal;

    LogsCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        try (Perpetua client = api.connect(terminal.env())) {
            Process process = client.sandboxes().handle(id).processes().handle(processId);
            if (follow) {
                follow(process);
            } else {
                readAll(process);
            }
        }
        return 0;
    }

    /** Reads page after page until one brings nothing new. */
    private void readAll(Process process) {
        List<LogEvent> chunks = new ArrayList<>();
        LogPage page = process.logs(0);
        while (!page.chunks().isEmpty()) {
            chunks.addAll(page.chunks());
            if (!output.json()) {
                page.chunks().forEach(this::print);
            }
            page = process.logs(page.next());
        }
        if (output.json()) {
            terminal.printJson(JsonViews.logs(chunks, page));
        }
    }

    private void follow(Process process) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Consumer<LogEvent> sink = output.json() ? event -> terminal.out().println(JsonOutput.line(JsonViews.chunk(event))) : this::print;
        process.followLogs(0).subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(LogEvent event) {
                sink.accept(event);
            }

            @Override
            public void onError(Throwable failure) {
                done.completeExceptionally(failure);
            }

            @Override
            public void onComplete() {
                done.complete(null);
            }
        });
        await(done);
    }

    private void print(LogEvent event) {
        switch (event.stream()) {
            case "stdout" -> {
                terminal.out().print(event.data());
                terminal.out().flush();
            }
            case "stderr" -> {
                terminal.err().print(event.data());
                terminal.err().flush();
            }
            case "truncated" -> terminal.fail("the process wrote more than the sandbox keeps (16 MiB); the rest was dropped");
            default -> {
                // A stream this CLI does not know yet.
            }
        }
    }

    private static void await(CompletableFuture<Void> done) {
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while following the output", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new CliException("following the output failed: " + e.getCause(), e.getCause());
        }
    }
}
