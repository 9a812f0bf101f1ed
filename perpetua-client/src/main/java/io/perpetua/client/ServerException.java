package io.perpetua.client;

/** The daemon answered with a 5xx status: something below the API failed, or a proxy in front of it did. */
public final class ServerException extends PerpetuaException {

    ServerException(String code, String message, int status) {
        super(code, message, status);
    }
}
