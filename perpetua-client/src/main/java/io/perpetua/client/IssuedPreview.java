package io.perpetua.client;

/**
 * A preview just made: its URL opens the port to anyone who has it, without an API key.
 *
 * @param id    the preview's id, used to revoke it
 * @param port  the port it opens
 * @param url   the preview URL, token included: shown this once
 * @param token the token alone
 */
public record IssuedPreview(String id, int port, String url, String token) {

    static IssuedPreview from(JsonObject json) {
        return new IssuedPreview(json.string("id"), json.int32("port"), json.string("url"), json.string("token"));
    }

    @Override
    public String toString() {
        return "IssuedPreview[id=" + id + ", port=" + port + ", url=(hidden)]";
    }
}
