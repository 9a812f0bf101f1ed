package io.perpetua.template;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which templates are used most: the {@value #HOT} with the most sandboxes made from them in the
 * last {@link #WINDOW}. Their copies are kept ready; a template that cools down gives its up.
 */
final class HotTemplates {

    static final int HOT = 3;
    static final Duration WINDOW = Duration.ofHours(1);

    /** Templates to start keeping copies of, and templates to stop keeping them of. */
    record Changes(List<Template> warm, List<Template> cool) {
    }

    private final Map<String, Deque<Instant>> uses = new HashMap<>();
    private final Map<String, Template> byId = new HashMap<>();
    private final Set<String> hot = new HashSet<>();

    /** A sandbox was made from {@code template} at {@code now}: what changes among the hot ones. */
    synchronized Changes used(Template template, Instant now) {
        byId.put(template.id(), template);
        uses.computeIfAbsent(template.id(), id -> new ArrayDeque<>()).addLast(now);
        Instant since = now.minus(WINDOW);
        uses.values().forEach(times -> {
            while (!times.isEmpty() && times.peekFirst().isBefore(since)) {
                times.pollFirst();
            }
        });
        uses.values().removeIf(Deque::isEmpty);
        Set<String> hottest = new HashSet<>(uses.entrySet().stream()
                .sorted(Comparator.comparingInt((Map.Entry<String, Deque<Instant>> entry) -> entry.getValue().size()).reversed()
                        .thenComparing(entry -> entry.getValue().peekLast(), Comparator.reverseOrder()))
                .limit(HOT).map(Map.Entry::getKey).toList());
        List<Template> warm = hottest.stream().filter(id -> !hot.contains(id)).map(byId::get).toList();
        List<Template> cool = hot.stream().filter(id -> !hottest.contains(id)).map(byId::get).toList();
        hot.clear();
        hot.addAll(hottest);
        byId.keySet().retainAll(uses.keySet());
        return new Changes(warm, cool);
    }

    /** {@code template} is gone: it is neither counted nor hot any more. */
    synchronized void forget(Template template) {
        uses.remove(template.id());
        hot.remove(template.id());
        byId.remove(template.id());
    }
}
