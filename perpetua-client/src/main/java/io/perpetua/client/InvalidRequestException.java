package io.perpetua.client;

/** The daemon answered 400: it rejected the request's input, and {@link #field()} says which part. */
public final class InvalidRequestException extends PerpetuaException {

    /** The rejected input, or null. */
    private final String field;

    InvalidRequestException(String code, String message, String field) {
        super(code, message, 400);
        this.field = field;
    }

    /**
     * The input the daemon rejected, in the API's terms.
     *
     * @return a field such as {@code memoryMb}, {@code cmd[1]} or {@code env.HOME}, or {@code null}
     *         when the daemon named none
     */
    public String field() {
        return field;
    }
}
