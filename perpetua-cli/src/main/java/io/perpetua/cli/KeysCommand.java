package io.perpetua.cli;

import io.perpetua.client.IssuedKey;
import io.perpetua.client.KeyInfo;
import io.perpetua.client.Perpetua;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code perpetua keys}: issue, list and revoke API keys; needs an admin key. */
@Command(name = "keys", description = "Issues, lists and revokes API keys (needs an admin key in $PERPETUA_API_KEY).")
final class KeysCommand {

    static CommandLine commandLine(Terminal terminal) {
        return new CommandLine(new KeysCommand())
                .addSubcommand(new Create(terminal))
                .addSubcommand(new ListKeys(terminal))
                .addSubcommand(new Revoke(terminal));
    }

    @Command(name = "create", description = "Issues a key and prints its secret, this once.")
    static final class Create implements Callable<Integer> {

        @Mixin
        private ApiOptions api;

        @Mixin
        private OutputOption output;

        @Option(names = "--project", paramLabel = "PROJECT",
                description = "The project whose sandboxes the key reaches (default: the caller's).")
        private String project;

        @Option(names = "--name", paramLabel = "NAME", description = "What to call the key, for listings.")
        private String name;

        @Option(names = "--admin", description = "The key may manage keys too.")
        private boolean admin;

        private final Terminal terminal;

        Create(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            IssuedKey issued;
            try (Perpetua client = api.connect(terminal.env())) {
                issued = client.keys().create(project, name, admin);
            }
            if (output.json()) {
                Map<String, Object> json = new LinkedHashMap<>(JsonViews.key(issued.info()));
                json.remove("revokedAt");
                json.put("key", issued.secret());
                terminal.printJson(json);
                return 0;
            }
            KeyInfo key = issued.info();
            terminal.out().println("key " + key.id() + " for project " + key.project() + (key.admin() ? " (admin)" : "")
                    + "; its secret is shown only now:");
            terminal.out().println();
            terminal.out().println("  export " + Perpetua.API_KEY_VARIABLE + "=" + issued.secret());
            return 0;
        }
    }

    @Command(name = "list", description = "Lists every key, revoked ones included (never their secrets).")
    static final class ListKeys implements Callable<Integer> {

        @Mixin
        private ApiOptions api;

        @Mixin
        private OutputOption output;

        private final Terminal terminal;

        ListKeys(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            List<KeyInfo> keys;
            try (Perpetua client = api.connect(terminal.env())) {
                keys = client.keys().list();
            }
            if (output.json()) {
                terminal.printJson(keys.stream().map(JsonViews::key).toList());
                return 0;
            }
            Table table = new Table("ID", "PROJECT", "NAME", "ADMIN", "CREATED", "REVOKED");
            for (KeyInfo key : keys) {
                table.row(key.id(), key.project(), key.name(), key.admin() ? "yes" : "no", key.createdAt().toString(),
                        key.revokedAt() == null ? null : key.revokedAt().toString());
            }
            terminal.out().print(table.render());
            return 0;
        }
    }

    @Command(name = "revoke", description = "Revokes keys: calls with them fail from now on.")
    static final class Revoke implements Callable<Integer> {

        @Mixin
        private ApiOptions api;

        @Parameters(arity = "1..*", paramLabel = "ID", description = "The keys' ids (not their secrets).")
        private List<String> ids;

        private final Terminal terminal;

        Revoke(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() {
            try (Perpetua client = api.connect(terminal.env())) {
                for (String id : ids) {
                    client.keys().revoke(id);
                    terminal.out().println("revoked " + id);
                }
            }
            return 0;
        }
    }
}
