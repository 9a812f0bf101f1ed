package io.perpetua.client;

import java.util.Locale;

/** Where a template is in its life: see {@link TemplateInfo#state()}. */
public enum TemplateState {

    /** Its recipe is running in the background; nothing can start from it yet. */
    BUILDING,

    /** Built: sandboxes can start from it. */
    READY,

    /** Its build failed ({@link TemplateInfo#failureReason()} says why); nothing can start from it. */
    FAILED;

    /**
     * The state as the API writes it.
     *
     * @return {@code building}, {@code ready} or {@code failed}
     */
    public String apiValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The state the API calls {@code value}. */
    static TemplateState of(String value, String field) {
        for (TemplateState state : values()) {
            if (state.apiValue().equals(value)) {
                return state;
            }
        }
        throw new IllegalArgumentException(field + " must be building, ready or failed but was \"" + value + "\"");
    }
}
