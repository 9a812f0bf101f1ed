package io.perpetua.client;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The templates of the caller's project, obtained from {@link Perpetua#templates()}: prepared
 * environments built from a {@link TemplateRecipe} in the background and captured whole, with
 * their servers running, so that a sandbox made from one ({@link Sandboxes#createFromTemplate(String)})
 * is a restore rather than a boot.
 *
 * <pre>{@code
 * TemplateInfo web = perpetua.templates().buildAndWait(recipe, Duration.ofMinutes(10)); // see TemplateRecipe
 * Sandbox sandbox = perpetua.sandboxes().createFromTemplate(web.name()); // its server already answers
 * }</pre>
 */
public final class Templates {

    /** How many lines of the build log the exception of a failed build carries. */
    public static final int LOG_TAIL_LINES = 20;
    /** The code of a template whose build failed, as the daemon uses it. */
    static final String FAILED = "template_failed";
    /** The code of a template still being built, as the daemon uses it. */
    static final String NOT_READY = "template_not_ready";
    private static final Duration FIRST_POLL = Duration.ofMillis(100);
    private static final Duration MAX_POLL = Duration.ofSeconds(1);

    private final Http http;

    Templates(Http http) {
        this.http = http;
    }

    /**
     * Starts building a template ({@code POST /v1/templates}); the build runs in the daemon's
     * background, and {@link #get(String)} or {@link #awaitReady(String, Duration)} tell when it ended.
     *
     * @param recipe how to build it
     * @return the template, {@link TemplateState#BUILDING}
     * @throws ConflictException       with the code {@code template_exists} if the project has a template of that name
     * @throws InvalidRequestException if the daemon refuses a part of the recipe, named by its field, such as a
     *                                 {@code from} that is no ready template of the project
     */
    public TemplateInfo build(TemplateRecipe recipe) {
        Objects.requireNonNull(recipe, "recipe");
        return http.json(http.post("/v1/templates", recipe.body()), TemplateInfo::from);
    }

    /**
     * Builds a template and waits until it is ready: {@link #build(TemplateRecipe)}, then
     * {@link #awaitReady(String, Duration)}.
     *
     * @param recipe  how to build it
     * @param timeout how long to wait for the build; it goes on in the background after that
     * @return the template, {@link TemplateState#READY}
     * @throws IllegalArgumentException if {@code timeout} is not positive; nothing is sent then
     * @throws ConflictException        with the code {@code template_failed} if the build failed, with its reason and
     *                                  the last {@value #LOG_TAIL_LINES} lines of its build log in the message; with
     *                                  {@code template_not_ready} if it still builds after {@code timeout}; with
     *                                  {@code template_exists} if the project has a template of that name
     * @throws InvalidRequestException  if the daemon refuses a part of the recipe
     */
    public TemplateInfo buildAndWait(TemplateRecipe recipe, Duration timeout) {
        Objects.requireNonNull(recipe, "recipe");
        Validation.positive(timeout, "timeout");
        return awaitReady(build(recipe).name(), timeout);
    }

    /**
     * Waits until a template is built, as {@link #awaitReady(String, Duration, Consumer)} does.
     *
     * @param name    the template's name
     * @param timeout how long to wait; the build goes on in the background after that
     * @return the template, {@link TemplateState#READY}
     * @throws IllegalArgumentException if {@code name} is blank or {@code timeout} is not positive
     * @throws ConflictException        with the code {@code template_failed} or {@code template_not_ready}
     * @throws NotFoundException        with the code {@code template_not_found} if the project has no such template
     */
    public TemplateInfo awaitReady(String name, Duration timeout) {
        return awaitReady(name, timeout, template -> { });
    }

    /**
     * Waits until a template is built, asking the daemon every so often (0.1 s at first, then
     * less often, up to once a second) and once more at the deadline.
     *
     * <p>The exceptions are those the daemon answers a sandbox asked of such a template with,
     * status 409 included; {@link #get(String)} has the whole build log.
     *
     * @param name    the template's name
     * @param timeout how long to wait; the build goes on in the background after that
     * @param onPoll  given every state fetched, the last one (ready or not) included, before this returns or throws;
     *                to show progress, say
     * @return the template, {@link TemplateState#READY}
     * @throws IllegalArgumentException if {@code name} is blank or {@code timeout} is not positive
     * @throws ConflictException        with the code {@code template_failed} if its build failed, with the reason and
     *                                  the last {@value #LOG_TAIL_LINES} lines of its build log in the message, or
     *                                  {@code template_not_ready} if it still builds after {@code timeout}
     * @throws NotFoundException        with the code {@code template_not_found} if the project has no such template
     *                                  (or it was deleted meanwhile)
     * @throws PerpetuaException        with the code {@link PerpetuaException#INTERRUPTED} if the waiting thread is
     *                                  interrupted; its interrupt flag is set again
     */
    public TemplateInfo awaitReady(String name, Duration timeout, Consumer<TemplateInfo> onPoll) {
        String path = path(name);
        long limit = nanos(Validation.positive(timeout, "timeout"));
        Objects.requireNonNull(onPoll, "onPoll");
        long started = System.nanoTime();
        Duration pause = FIRST_POLL;
        while (true) {
            TemplateInfo now = http.json(http.get(path), TemplateInfo::from);
            onPoll.accept(now);
            switch (now.state()) {
                case READY -> {
                    return now;
                }
                case FAILED -> throw failed(now);
                case BUILDING -> { }
            }
            long left = limit - (System.nanoTime() - started);
            if (left <= 0) {
                throw new ConflictException(NOT_READY, "template '" + name + "' is still being built after " + describe(timeout)
                        + "; it builds on in the background");
            }
            sleep(Math.min(pause.toNanos(), left), name);
            pause = pause.multipliedBy(2).compareTo(MAX_POLL) > 0 ? MAX_POLL : pause.multipliedBy(2);
        }
    }

    /**
     * Fetches a template with its build's state and log ({@code GET /v1/templates/{name}}).
     *
     * @param name the template's name
     * @return the template
     * @throws IllegalArgumentException if {@code name} is blank
     * @throws NotFoundException        with the code {@code template_not_found} if the project has no such template
     */
    public TemplateInfo get(String name) {
        return http.json(http.get(path(name)), TemplateInfo::from);
    }

    /**
     * Lists the project's templates ({@code GET /v1/templates}), in whatever state.
     *
     * @return the templates, oldest first
     */
    public List<TemplateInfo> list() {
        return http.json(http.get("/v1/templates"), json -> json.objects("templates").stream().map(TemplateInfo::from).toList());
    }

    /**
     * Deletes a template and its snapshot ({@code DELETE /v1/templates/{name}}); a build in
     * progress is abandoned. Sandboxes made from it are not affected.
     *
     * @param name the template's name
     * @throws IllegalArgumentException if {@code name} is blank
     * @throws NotFoundException        with the code {@code template_not_found} if the project has no such template
     */
    public void delete(String name) {
        http.discard(http.delete(path(name)));
    }

    /** The exception of a failed build: its reason and the end of its log. */
    private static ConflictException failed(TemplateInfo template) {
        String tail = template.buildLogTail(LOG_TAIL_LINES);
        return new ConflictException(FAILED, "template '" + template.name() + "' failed to build: " + template.failureReason()
                + (tail.isEmpty() ? "" : "\nthe end of its build log:\n" + tail.stripTrailing()));
    }

    private static void sleep(long nanos, String name) {
        try {
            Thread.sleep(Duration.ofNanos(nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PerpetuaException(PerpetuaException.INTERRUPTED, "interrupted while waiting for template '" + name
                    + "' to be built", 0, e);
        }
    }

    /** {@code timeout} in nanoseconds; one too long for a long is as good as forever. */
    private static long nanos(Duration timeout) {
        try {
            return timeout.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static String describe(Duration timeout) {
        return timeout.getNano() == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
    }

    private static String path(String name) {
        return "/v1/templates/" + Http.segment(Validation.notBlank(name, "name"));
    }
}
