package io.perpetua.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sequential writes and reads of 200 MB inside a sandbox, on a volume and on a drive against the
 * sandbox's own disk, in the same sandbox and run. Writes end with fsync; reads follow at once
 * (the host's page cache holds the file: what a sandbox reading back its own output sees).
 */
final class StorageBenchmark {

    private static final int MEGABYTES = 200;
    private static final Map<String, String> PLACES = places();

    private final BenchClient api;

    StorageBenchmark(BenchClient api) {
        this.api = api;
    }

    private static Map<String, String> places() {
        Map<String, String> places = new LinkedHashMap<>();
        places.put("own disk", "/root");
        places.put("volume", "/vol");
        places.put("drive", "/drive");
        return places;
    }

    void run(int rounds, Report report) {
        String volume = api.post("/v1/volumes", Map.of("name", "bench-volume", "sizeMb", 2048)).path("id").asString();
        String drive = api.post("/v1/drives", Map.of("name", "bench-drive")).path("id").asString();
        String sandbox = null;
        Map<String, Samples> writes = new LinkedHashMap<>();
        Map<String, Samples> reads = new LinkedHashMap<>();
        try {
            sandbox = api.create(Map.of("diskMb", 4096, "volumes", List.of(Map.of("volume", volume, "mountPath", "/vol")),
                    "drives", List.of(Map.of("drive", drive, "mountPath", "/drive"))));
            for (int i = 0; i < rounds; i++) {
                for (Map.Entry<String, String> place : PLACES.entrySet()) {
                    String file = place.getValue() + "/bench.bin";
                    writes.computeIfAbsent(place.getKey(), name -> new Samples("write " + MEGABYTES + " MB + fsync, " + name))
                            .add(timed(sandbox, "dd if=/dev/zero of=" + file + " bs=1M count=" + MEGABYTES + " conv=fsync"));
                    reads.computeIfAbsent(place.getKey(), name -> new Samples("read " + MEGABYTES + " MB, " + name))
                            .add(timed(sandbox, "dd if=" + file + " of=/dev/null bs=1M"));
                    api.exec(sandbox, "rm", "-f", file);
                }
            }
        } finally {
            if (sandbox != null) {
                api.deleteQuietly(sandbox);
            }
            api.call("DELETE", "/v1/volumes/" + volume);
            api.call("DELETE", "/v1/drives/" + drive);
        }
        writes.values().forEach(report::add);
        reads.values().forEach(report::add);
        double diskWrite = writes.get("own disk").median();
        double diskRead = reads.get("own disk").median();
        for (String place : PLACES.keySet()) {
            report.value("sequential write, " + place, MEGABYTES / (writes.get(place).median() / 1000), "MB/s");
            report.value("sequential read, " + place, MEGABYTES / (reads.get(place).median() / 1000), "MB/s");
        }
        report.ratio("volume / own disk, write MB/s", diskWrite / writes.get("volume").median(), "");
        report.ratio("drive / own disk, write MB/s", diskWrite / writes.get("drive").median(), "");
        report.ratio("volume / own disk, read MB/s", diskRead / reads.get("volume").median(), "");
        report.ratio("drive / own disk, read MB/s", diskRead / reads.get("drive").median(), "");
    }

    /** Milliseconds {@code command} took, measured inside the sandbox (no API round trip in it). */
    private double timed(String sandbox, String command) {
        String script = "s=$(date +%s%N); " + command + " 2>/dev/null || exit 1; e=$(date +%s%N); echo $(( (e - s) / 1000 ))";
        String out = api.exec(sandbox, "sh", "-c", script).path("stdout").asString().strip();
        return Long.parseLong(out) / 1000.0;
    }
}
