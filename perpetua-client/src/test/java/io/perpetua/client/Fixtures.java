package io.perpetua.client;

/** Answers of the daemon, as it writes them. */
final class Fixtures {

    static final String SANDBOX = """
            {"id":"sbq3k7x2mfa4z5hd","project":"default","state":"running","template":"python","createdAt":"2026-01-02T03:04:05.678Z",
             "stateChangedAt":"2026-01-02T03:04:06Z","lastActivityAt":"2026-01-02T03:05:00.500Z",
             "idleTimeoutSeconds":15,"hibernateAfterSeconds":600,"memoryMb":512,"cpus":1.0,"envNames":["A","B"],
             "labels":{"team":"ml","owner":"ana"},"snapshot":null,"failureReason":null}""";

    static final String HIBERNATED = """
            {"id":"sb2hib2hib2hib2h","project":"default","state":"hibernated","template":null,"createdAt":"2026-01-01T00:00:00Z",
             "stateChangedAt":"2026-01-01T01:00:00Z","lastActivityAt":"2026-01-01T00:10:00Z",
             "idleTimeoutSeconds":15,"hibernateAfterSeconds":600,"memoryMb":256,"cpus":0.5,"envNames":[],
             "labels":{},"snapshot":{"id":"snap1","createdAt":"2026-01-01T01:00:00Z","sizeBytes":1024},
             "failureReason":null}""";

    static final String FILE = """
            {"path":"/data/blob.bin","type":"file","sizeBytes":3,"mode":"644",
             "modifiedAt":"2026-01-02T03:04:05.123456789Z","symlinkTarget":null}""";

    static final String RUNNING = """
            {"id":"p1","name":"web","cmd":["python3","-m","http.server"],"pid":42,"status":"running",
             "exitCode":null,"signal":null,"keepAlive":true,"startedAt":"2026-01-02T03:04:05Z"}""";

    static final String EXITED = RUNNING.replace("\"running\"", "\"exited\"").replace("\"exitCode\":null", "\"exitCode\":3");

    private Fixtures() {
    }
}
