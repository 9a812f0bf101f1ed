package io.perpetua.server.e2b;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the E2B protocol has of a sandbox and Perpetua does not, kept as the sandbox's
 * annotations under {@value #NAMESPACE}.
 *
 * @param templateId     the template as the caller named it (E2B's {@code base} is Perpetua's {@code default})
 * @param timeoutSeconds the lifetime the caller last asked for, which a resume starts again
 * @param endAt          when the lifetime ends; null for a sandbox not made through E2B, which lives until deleted
 * @param autoPause      whether the end of its lifetime pauses it (E2B's {@code onTimeout: "pause"}) instead of killing it
 * @param autoResume     whether traffic to a paused sandbox resumes it
 * @param paused         whether it is paused: asleep in standby or hibernation, woken only by {@code connect}
 *                       (or by traffic, with {@code autoResume})
 * @param publicTraffic  whether its ports are open by host name to anybody (E2B's {@code allowPublicTraffic},
 *                       true unless the caller said otherwise); else only with its traffic token
 */
record E2bSandbox(String templateId, long timeoutSeconds, Instant endAt, boolean autoPause, boolean autoResume, boolean paused,
                  boolean publicTraffic) {

    static final String NAMESPACE = "e2b";
    /** E2B's default lifetime. */
    static final long DEFAULT_TIMEOUT_SECONDS = 300;

    /** A sandbox Perpetua made without E2B: no lifetime, never paused, its ports by host name only with its traffic token. */
    static E2bSandbox unmanaged(String template) {
        return new E2bSandbox(template, 0, null, false, false, false, false);
    }

    /** The record the sandbox's annotations hold. */
    static E2bSandbox of(Map<String, String> annotations) {
        String end = annotations.get("endAt");
        return new E2bSandbox(annotations.getOrDefault("templateId", E2bSandboxes.BASE_TEMPLATE),
                Long.parseLong(annotations.getOrDefault("timeoutSeconds", "0")), end == null ? null : Instant.parse(end),
                Boolean.parseBoolean(annotations.get("autoPause")), Boolean.parseBoolean(annotations.get("autoResume")),
                Boolean.parseBoolean(annotations.get("paused")), Boolean.parseBoolean(annotations.get("publicTraffic")));
    }

    /** The annotations that hold this record. */
    Map<String, String> annotations() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("templateId", templateId);
        values.put("timeoutSeconds", Long.toString(timeoutSeconds));
        if (endAt != null) {
            values.put("endAt", endAt.toString());
        }
        values.put("autoPause", Boolean.toString(autoPause));
        values.put("autoResume", Boolean.toString(autoResume));
        values.put("paused", Boolean.toString(paused));
        values.put("publicTraffic", Boolean.toString(publicTraffic));
        return values;
    }

    /** Running again, its lifetime of {@code seconds} starting at {@code now}. */
    E2bSandbox running(long seconds, Instant now) {
        return new E2bSandbox(templateId, seconds, now.plusSeconds(seconds), autoPause, autoResume, false, publicTraffic);
    }

    /** Paused: its lifetime is over until it resumes. */
    E2bSandbox pausedNow() {
        return new E2bSandbox(templateId, timeoutSeconds, endAt, autoPause, autoResume, true, publicTraffic);
    }

    /** Whether its lifetime is over at {@code now}. */
    boolean expired(Instant now) {
        return !paused && endAt != null && !now.isBefore(endAt);
    }
}
