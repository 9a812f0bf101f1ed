package io.perpetua.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The daemon's API keys, obtained from {@link Perpetua#keys()}. Every call needs an admin key. */
public final class Keys {

    private final Http http;

    Keys(Http http) {
        this.http = http;
    }

    /**
     * Issues a key ({@code POST /v1/keys}).
     *
     * @param project the project whose sandboxes it reaches, or null for the caller's own
     * @param name    what to call it, or null
     * @param admin   whether it may manage keys too
     * @return the key, with its secret: shown this once
     * @throws ForbiddenException if the caller's key is not an admin key
     */
    public IssuedKey create(String project, String name, boolean admin) {
        RequestBody body = new RequestBody().set("project", project).set("name", name).set("admin", admin ? Boolean.TRUE : null);
        return http.json(http.post("/v1/keys", body.fields()), IssuedKey::from);
    }

    /**
     * Lists every key ever issued, revoked ones included ({@code GET /v1/keys}).
     *
     * @return the keys, oldest first, without their secrets
     */
    public List<KeyInfo> list() {
        return http.json(http.get("/v1/keys"), json -> json.objects("keys").stream().map(KeyInfo::from).toList());
    }

    /**
     * Revokes a key ({@code DELETE /v1/keys/{id}}): calls with it fail from now on.
     *
     * @param id the key's id
     * @throws NotFoundException if there is no such key
     * @throws ConflictException if it is the last valid admin key
     */
    public void revoke(String id) {
        http.discard(http.delete("/v1/keys/" + URLEncoder.encode(Validation.notBlank(id, "id"), StandardCharsets.UTF_8)));
    }
}
